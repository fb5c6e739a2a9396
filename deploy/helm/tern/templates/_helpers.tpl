{{- define "tern.fullname" -}}
{{- printf "%s-tern" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tern.labels" -}}
app.kubernetes.io/name: tern
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The ZooKeeper connection string: the in-release ensemble or the external one. */}}
{{- define "tern.zk" -}}
{{- if .Values.zookeeper.enabled -}}
{{- $name := include "tern.fullname" . -}}
{{- $port := .Values.zookeeper.clientPort -}}
{{- range $i, $e := until (int .Values.zookeeper.replicas) -}}
{{- if $i }},{{ end }}{{ $name }}-zk-{{ $i }}.{{ $name }}-zk-headless:{{ $port }}
{{- end -}}
{{- else -}}
{{- required "zookeeper.external is required when zookeeper.enabled is false" .Values.zookeeper.external -}}
{{- end -}}
{{- end -}}

{{/* Every scheduler replica by pod DNS name; agents may be given any of them. */}}
{{- define "tern.schedulers" -}}
{{- $name := include "tern.fullname" . -}}
{{- $port := .Values.scheduler.port -}}
{{- range $i, $e := until (int .Values.scheduler.replicas) -}}
{{- if $i }},{{ end }}{{ $name }}-scheduler-{{ $i }}.{{ $name }}-scheduler-headless:{{ $port }}
{{- end -}}
{{- end -}}
