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
"true" once the environment has an image (image.digest or image.tag), as Delivery writes it for the first
environment of environments.yaml and Promote for the others; empty before. An environment without one renders
no workload and nothing that watches one: no Deployment, HorizontalPodAutoscaler, PodDisruptionBudget,
ServiceMonitor, PrometheusRule or helm test pod. Pods would pull `repository:<appVersion>`, a tag Delivery never
pushes, and sit in ImagePullBackOff, while the alerts (NoReadyPods, MetricsAbsent) paged for a service not yet
deployed. What stays is safe without pods and ready for the first one: the Service and the Ingress (cert-manager
issues the certificate ahead; the controller answers 503 until pods are ready), the NetworkPolicy (in force before
any pod starts), the ServiceAccount and RBAC (no pod holds them), and the dashboard (it shows no data and pages
nobody). The values are checked either way: deployment.yaml and pdb.yaml check them before leaving their object out.
*/}}
{{- define "app.delivered" -}}
{{- if or .Values.image.digest .Values.image.tag }}true{{ end }}
{{- end }}

{{/*
The image the pods run (only once app.delivered): by digest when one is set (what Delivery and Promote write, so
every environment runs the bytes that were scanned and signed), else by tag.
*/}}
{{- define "app.image" -}}
{{- with .Values.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}
{{- end }}

{{/* The environment of environments.yaml this release is, named by its values-<env>.yaml. */}}
{{- define "app.environment" -}}
{{- required "environment is required: install with the environment's values file, charts/<name>/values-<env>.yaml" .Values.environment }}
{{- end }}
