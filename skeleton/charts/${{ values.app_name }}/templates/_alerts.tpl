{{/*
The service's alert rule group: the alerts the runbook describes, with thresholds from .Values.alerts.
The PrometheusRule carries them; scripts/prometheus-rules.mjs prints them as a plain rules file. Series are
selected by the labels the ServiceMonitor gives them (namespace, and job: the Service's name); kube_* series
come from kube-state-metrics, container_* from the kubelet's cAdvisor. Probes are left out of the request
ratios: readiness answers 503 on purpose while a pod shuts down.
*/}}
{{- define "app.alertGroups" -}}
{{- $a := .Values.alerts -}}
{{- $job := include "app.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $svc := printf "namespace=%q, job=%q" $ns $job -}}
{{- $requests := printf "%s, route!~%q" $svc "/api/v1/healthz|/api/v1/readyz|/metrics" -}}
{{- $container := printf "namespace=%q, container=%q" $ns (include "app.name" .) -}}
{{- $runbook := printf "%s/" (trimSuffix "/" $a.runbookUrl) -}}
{{- $labels := merge (dict "environment" (include "app.environment" .)) (deepCopy $a.labels) -}}
{{- $critical := merge (dict "severity" $a.criticalSeverity) (deepCopy $labels) -}}
{{- $warning := merge (dict "severity" "warning") (deepCopy $labels) -}}
{{- $rules := list -}}
{{- $rules = append $rules (dict
  "alert" "NoReadyPods"
  "expr" (printf "kube_deployment_status_replicas_available{namespace=%q, deployment=%q} == 0" $ns $job)
  "for" "5m"
  "labels" $critical
  "annotations" (dict
    "summary" (printf "No pod of %s is ready: the service is down" $job)
    "description" "The Deployment has had no available replica for 5 minutes."
    "runbook_url" (print $runbook "#noreadypods"))) -}}
{{- $rules = append $rules (dict
  "alert" "HighErrorRate"
  "expr" (printf "sum(rate(http_requests_total{%s, status=~\"5..\"}[5m]))\n  / sum(rate(http_requests_total{%s}[5m])) > %v" $requests $requests $a.errorRatio)
  "for" "10m"
  "labels" $critical
  "annotations" (dict
    "summary" (printf "More than %v%% of requests to %s fail" (round (mulf $a.errorRatio 100) 2) $job)
    "description" `{{ $value | humanizePercentage }} of requests (probes excepted) answered 5xx over the last 5 minutes.`
    "runbook_url" (print $runbook "#higherrorrate"))) -}}
{{- $rules = append $rules (dict
  "alert" "SlowDetails"
  "expr" (printf "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{%s, route=\"/api/v1/details\"}[5m])))\n  > %v" $svc $a.detailsP95Seconds)
  "for" "15m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "/api/v1/details is slower than %vs at the 95th percentile" $a.detailsP95Seconds)
    "description" `The 95th percentile of /api/v1/details has been {{ $value | humanizeDuration }} for 15 minutes.`
    "runbook_url" (print $runbook "#slowdetails"))) -}}
{{- $rules = append $rules (dict
  "alert" "EventLoopLag"
  "expr" (printf "max by (pod) (nodejs_eventloop_lag_p99_seconds{%s}) > %v" $svc $a.eventLoopLagSeconds)
  "for" "10m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "A pod's event loop lags over %vs at the 99th percentile" $a.eventLoopLagSeconds)
    "description" `Pod {{ $labels.pod }}: event-loop lag p99 {{ $value | humanizeDuration }}; requests wait that long before any code runs.`
    "runbook_url" (print $runbook "#eventlooplag"))) -}}
{{- $rules = append $rules (dict
  "alert" "Restarting"
  "expr" (printf "increase(kube_pod_container_status_restarts_total{%s}[15m]) > %v" $container $a.restartsIn15m)
  "labels" $warning
  "annotations" (dict
    "summary" (printf "A pod of %s restarted more than %v times in 15 minutes" $job $a.restartsIn15m)
    "description" `Pod {{ $labels.pod }} restarted {{ $value | humanize }} times in 15 minutes.`
    "runbook_url" (print $runbook "#restarting"))) -}}
{{- $rules = append $rules (dict
  "alert" "MemoryNearLimit"
  "expr" (printf "max by (pod) (container_memory_working_set_bytes{%s})\n  / max by (pod) (kube_pod_container_resource_limits{%s, resource=\"memory\"}) > %v" $container $container $a.memoryRatio)
  "for" "10m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "A pod uses over %v%% of its memory limit" (round (mulf $a.memoryRatio 100) 2))
    "description" `Pod {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit; at the limit the kernel kills it.`
    "runbook_url" (print $runbook "#memorynearlimit"))) -}}
{{- if .Values.autoscaling.enabled }}
{{- $rules = append $rules (dict
  "alert" "AutoscalerAtMaximum"
  "expr" (printf "kube_horizontalpodautoscaler_status_current_replicas{namespace=%q, horizontalpodautoscaler=%q}\n  >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=%q, horizontalpodautoscaler=%q}" $ns $job $ns $job)
  "for" "30m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "The autoscaler has run %s at its maximum for 30 minutes" $job)
    "description" `{{ $value }} pods, the most autoscaling.maxReplicas allows: more load will slow every request.`
    "runbook_url" (print $runbook "#autoscaleratmaximum"))) -}}
{{- end }}
{{- $rules = append $rules (dict
  "alert" "ScrapeFailing"
  "expr" (printf "up{%s} == 0" $svc)
  "for" "10m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "Prometheus cannot scrape a pod of %s" $job)
    "description" `Scrapes of {{ $labels.pod }} have failed for 10 minutes: its alerts cannot fire.`
    "runbook_url" (print $runbook "#scrapefailing"))) -}}
{{- $rules = append $rules (dict
  "alert" "MetricsAbsent"
  "expr" (printf "absent(up{%s})" $svc)
  "for" "15m"
  "labels" $warning
  "annotations" (dict
    "summary" (printf "Prometheus has no scrape target for %s" $job)
    "description" "No target has been scraped for 15 minutes: none of this service's other alerts can fire."
    "runbook_url" (print $runbook "#metricsabsent"))) -}}
{{- toYaml (list (dict "name" (printf "%s.alerts" $job) "rules" $rules)) }}
{{- end }}
