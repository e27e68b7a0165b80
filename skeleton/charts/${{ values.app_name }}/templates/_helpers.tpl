{{/* PLACEHOLDER helpers: copied without templating, so Helm's own braces reach Helm untouched. */}}
{{- define "app.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
