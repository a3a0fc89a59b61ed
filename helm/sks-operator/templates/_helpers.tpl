{{/*
The chart's name, truncated to 63 characters (a label value's limit).
*/}}
{{- define "sks-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: <release>-<chart>, or the release name alone when it already holds
the chart name.
*/}}
{{- define "sks-operator.fullname" -}}
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

{{/*
helm.sh/chart: <chart>-<version>.
*/}}
{{- define "sks-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "sks-operator.labels" -}}
helm.sh/chart: {{ include "sks-operator.chart" . }}
{{ include "sks-operator.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: sks-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the operator's pods: never change them in an upgrade (a Deployment's selector is immutable).
*/}}
{{- define "sks-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sks-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the operator runs as.
*/}}
{{- define "sks-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sks-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: by digest when one is given, else by tag (default: the chart's appVersion).
*/}}
{{- define "sks-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
"true" when the operator must elect a leader: asked for, or more than one replica.
*/}}
{{- define "sks-operator.leaderElection" -}}
{{- ternary "true" "false" (or .Values.operator.leaderElection.enabled (gt (int .Values.replicaCount) 1) (gt (int .Values.sharding.shards) 1)) }}
{{- end }}
