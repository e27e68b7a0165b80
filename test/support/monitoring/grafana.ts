// The chart's Grafana dashboard, read from its rendered ConfigMap: the dashboard model, and each panel's
// PromQL with Grafana's variables resolved as Grafana would for one query (the chart's constants, and a
// fixed `$__rate_interval`), ready for the PromQL parser.
import { only, type KubeObject } from '../chart/kube';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; legendFormat?: string; datasource?: { type: string; uid: string } }[];
}
export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
  links: { title: string; url: string }[];
}

/** Grafana's built-in variables a query may use, at values any Prometheus accepts. */
const BUILT_IN: Record<string, string> = { __rate_interval: '5m', __interval: '1m', __range: '1h' };

/** The dashboard the chart's ConfigMap carries (its one data key), typed on trust: the checks read its fields. */
export function dashboardOf(objects: KubeObject[]): Dashboard {
  const texts = Object.values(only(objects, 'ConfigMap').data ?? {});
  if (texts.length !== 1) throw new Error(`the dashboard ConfigMap has ${texts.length} data keys, not one`);
  return JSON.parse(texts[0]) as Dashboard;
}

/** The dashboard's constant variables, by name. */
export function dashboardConstants(dashboard: Dashboard): Record<string, string> {
  return Object.fromEntries(dashboard.templating.list.filter(v => v.type === 'constant').map(v => [v.name, v.query]));
}

/** Every query of every panel, its variables replaced by the dashboard's constants and the built-ins. */
export function panelQueries(dashboard: Dashboard): { panel: string; expr: string }[] {
  const values = new Map(Object.entries({ ...BUILT_IN, ...dashboardConstants(dashboard) }));
  return dashboard.panels.flatMap(panel =>
    (panel.targets ?? []).map(target => ({
      panel: panel.title,
      expr: target.expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_whole, braced?: string, bare?: string) => {
        const name = braced ?? bare ?? '';
        const value = values.get(name);
        if (value === undefined)
          throw new Error(`panel "${panel.title}" uses $${name}, which the dashboard does not define`);
        return value;
      }),
    })),
  );
}
