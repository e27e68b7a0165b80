// `npm run chart:readme`: regenerates the tables of the skeleton chart's README from the values files of a
// rendered chart, since the skeleton's own values.yaml holds template expressions. The tables hold no
// per-service text (a per-service default is described by a `[default: ...]` modifier instead), so one
// variant's render writes what every render generates; test/chart.test.ts holds each variant to it.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../packages/tooling/src/template-repository';
import { renderedVariants } from '../backstage/rendered';
import { renderChart } from './chart';
import { generateTables } from './chart-readme';

async function main() {
  const [variant] = await renderedVariants();
  const chartsDir = path.join(repoRoot, 'skeleton', 'charts');
  const [skeletonChart] = fs.readdirSync(chartsDir);
  const readme = path.join(chartsDir, skeletonChart, 'README.md');
  generateTables(readme, renderChart(variant).chartDir);
  console.log(`${path.relative(repoRoot, readme)}: tables regenerated from the render of ${variant.id}`);
}

// Rendering leaves the embedded Backstage's handles open: exit once the README is written.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
