{{/*
The objectives of /api/v1/details (.Values.slos), after The Site Reliability Workbook, chapter 5. For each
SLI, recording rules give its error ratio over the windows the alerts read (namespace and job kept, `slo`
added), its 30-day average and the share of the 30-day budget left. Alerts burn at the workbook's rates
(table 5-8): a page when 2% of the budget goes in an hour (14.4x) or 5% in six hours (6x), a ticket when 10%
goes in a day (3x) or three days (1x); each long window is paired with one a twelfth as long, so an alert
ends soon after the burn does. With no traffic the ratios are empty and nothing fires.
*/}}
{{- define "app.sloGroups" -}}
{{- $s := .Values.slos -}}
{{- $job := include "app.fullname" . -}}
{{- $sel := printf "namespace=%q, job=%q" .Release.Namespace $job -}}
{{- $details := printf "%s, route=\"/api/v1/details\"" $sel -}}
{{- /* Prometheus 3 stores le="1" as le="1.0"; a whole-second threshold matches both. */ -}}
{{- $le := toString $s.latencySeconds -}}
{{- $leMatcher := ternary (printf "le=%q" $le) (printf "le=~\"%s(\\\\.0)?\"" $le) (contains "." $le) -}}
{{- $slis := list
  (dict "slo" "availability" "objective" $s.availabilityObjective "alert" "DetailsErrorBudgetBurn"
    "what" "answered 5xx"
    "bad" (printf "sum by (namespace, job) (rate(http_requests_total{%s, status=~\"5..\"}[%%s]))" $details)
    "total" (printf "sum by (namespace, job) (rate(http_requests_total{%s}[%%s]))" $details))
  (dict "slo" "latency" "objective" $s.latencyObjective "alert" "DetailsLatencyBudgetBurn"
    "what" (printf "slower than %vs" $s.latencySeconds)
    "good" (printf "sum by (namespace, job) (rate(http_request_duration_seconds_bucket{%s, %s}[%%s]))" $details $leMatcher)
    "total" (printf "sum by (namespace, job) (rate(http_request_duration_seconds_count{%s}[%%s]))" $details)) -}}
{{- $burns := list
  (dict "speed" "fast" "how" "fast" "severity" .Values.alerts.criticalSeverity "pairs" (list (list "1h" "5m" "14.4") (list "6h" "30m" "6")) "gone" "2 to 5 days")
  (dict "speed" "slow" "how" "steadily" "severity" "warning" "pairs" (list (list "1d" "2h" "3") (list "3d" "6h" "1")) "gone" "10 to 30 days") -}}
{{- $groups := list -}}
{{- range $sli := $slis }}
{{- $rules := list -}}
{{- $labels := dict "slo" $sli.slo -}}
{{- range $w := list "5m" "30m" "1h" "2h" "6h" "1d" "3d" }}
{{- $ratio := "" -}}
{{- if hasKey $sli "bad" }}
{{- $ratio = printf "%s\n  /\n%s" (printf $sli.bad $w) (printf $sli.total $w) -}}
{{- else }}
{{- $ratio = printf "1 - (\n%s\n  /\n%s\n)" (printf $sli.good $w) (printf $sli.total $w) -}}
{{- end }}
{{- $rules = append $rules (dict "record" (printf "slo:sli_error:ratio_rate%s" $w) "expr" $ratio "labels" $labels) -}}
{{- end }}
{{- $mine := printf "%s, slo=%q" $sel $sli.slo -}}
{{- $rules = append $rules (dict "record" "slo:sli_error:ratio_rate30d" "expr" (printf "avg_over_time(slo:sli_error:ratio_rate5m{%s}[30d])" $mine) "labels" $labels) -}}
{{- $rules = append $rules (dict "record" "slo:objective:ratio" "expr" (printf "vector(%v)" $sli.objective) "labels" (dict "slo" $sli.slo "namespace" $.Release.Namespace "job" $job)) -}}
{{- $rules = append $rules (dict "record" "slo:error_budget_remaining:ratio" "expr" (printf "1 - slo:sli_error:ratio_rate30d{%s}\n  / on (namespace, job, slo) (1 - slo:objective:ratio{%s})" $mine $mine) "labels" $labels) -}}
{{- range $burn := $burns }}
{{- $conditions := list -}}
{{- range $pair := $burn.pairs }}
{{- $threshold := printf "(%s * (1 - %v))" (index $pair 2) $sli.objective -}}
{{- $conditions = append $conditions (printf "(\n  slo:sli_error:ratio_rate%s{%s} > %s\n  and\n  slo:sli_error:ratio_rate%s{%s} > %s\n)" (index $pair 0) $mine $threshold (index $pair 1) $mine $threshold) -}}
{{- end }}
{{- $rules = append $rules (dict
  "alert" $sli.alert
  "expr" (join "\nor\n" $conditions)
  "labels" (merge (dict "severity" $burn.severity "burn" $burn.speed "environment" (include "app.environment" $)) (deepCopy $.Values.alerts.labels))
  "annotations" (dict
    "summary" (printf "/api/v1/details spends its %s error budget %s: at this rate the 30-day budget lasts %s" $sli.slo $burn.how $burn.gone)
    "description" (printf "{{ $value | humanizePercentage }} of /api/v1/details requests %s over the alert's long window; the %v objective allows %s." $sli.what $sli.objective (printf "%v%%" (round (mulf (subf 1 $sli.objective) 100) 3)))
    "runbook_url" (printf "%s/#%s" (trimSuffix "/" $.Values.alerts.runbookUrl) (lower $sli.alert)))) -}}
{{- end }}
{{- $groups = append $groups (dict "name" (printf "%s.slo-%s" $job $sli.slo) "rules" $rules) -}}
{{- end }}
{{- toYaml $groups }}
{{- end }}
