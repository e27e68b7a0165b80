{{/* Names and labels, as `helm create` writes them. Object names are cut to 63 characters (DNS labels). */}}

{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release name alone when it already contains the chart name (Argo CD sets it to the app name). */}}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object; backstage.io/kubernetes-id is what the catalog entity's annotation selects on. */}}
{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
backstage.io/kubernetes-id: {{ .Values.backstage.kubernetesId | quote }}
{{- end }}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount is the chart's own: the Role grants it exactly what the service needs. */}}
{{- define "app.serviceAccountName" -}}
{{- include "app.fullname" . }}
{{- end }}

{{/* The `helm test` pod: the release's labels without app.kubernetes.io/name, so no selector matches it. */}}
{{- define "app.testLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}

{{/*
The image the pods run: by digest when one is set (what Delivery and Promote write, so every environment runs the
bytes that were scanned and signed), else by tag, else the chart's appVersion.
*/}}
{{- define "app.image" -}}
{{- with .Values.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository (.tag | default $.Chart.AppVersion) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The environment of environments.yaml this release is, named by its values-<env>.yaml. */}}
{{- define "app.environment" -}}
{{- required "environment is required: install with the environment's values file, charts/<name>/values-<env>.yaml" .Values.environment }}
{{- end }}
