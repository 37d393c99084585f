{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "labbook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "labbook.fullname" -}}
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

{{- define "labbook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "labbook.labels" -}}
helm.sh/chart: {{ include "labbook.chart" . }}
{{ include "labbook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "labbook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "labbook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels that select the server pods only: the migrations Job's pods share the name and
     instance labels but must get no Service traffic and count in no PodDisruptionBudget. */}}
{{- define "labbook.serverSelectorLabels" -}}
{{ include "labbook.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "labbook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "labbook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "labbook.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* JDBC URL of the external PostgreSQL. */}}
{{- define "labbook.dbUrl" -}}
{{- if .Values.database.url }}
{{- .Values.database.url }}
{{- else }}
{{- printf "jdbc:postgresql://%s:%v/%s" (required "database.host or database.url is required" .Values.database.host) .Values.database.port .Values.database.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret the chart creates for credentials given in values. */}}
{{- define "labbook.secretName" -}}
{{- printf "%s-credentials" (include "labbook.fullname" .) }}
{{- end }}

{{/* Whether the chart creates a credentials Secret. */}}
{{- define "labbook.createSecret" -}}
{{- if or (and (not .Values.database.existingSecret) .Values.database.password) (and .Values.s3.enabled (not .Values.s3.existingSecret) .Values.s3.secretKey) }}true{{ end }}
{{- end }}

{{/* Data of the credentials Secret (only what is not read from an existing Secret). */}}
{{- define "labbook.secretData" -}}
{{- if and (not .Values.database.existingSecret) .Values.database.password }}
db-password: {{ .Values.database.password | b64enc | quote }}
{{- end }}
{{- if and .Values.s3.enabled (not .Values.s3.existingSecret) .Values.s3.secretKey }}
s3-secret-key: {{ .Values.s3.secretKey | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Database env vars, shared by the server and the migrations Job. $secretName names the
     chart-created Secret to read from. Call with (dict "root" . "secretName" NAME). */}}
{{- define "labbook.dbEnv" -}}
{{- $v := .root.Values -}}
- name: LABBOOK_DB_URL
  value: {{ include "labbook.dbUrl" .root | quote }}
- name: LABBOOK_DB_USER
  value: {{ $v.database.user | quote }}
{{- if $v.database.existingSecret }}
- name: LABBOOK_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.database.existingSecret | quote }}
      key: {{ $v.database.existingSecretPasswordKey | quote }}
{{- else if $v.database.password }}
- name: LABBOOK_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | quote }}
      key: db-password
{{- end }}
- name: LABBOOK_LOG_LEVEL
  value: {{ $v.server.logLevel | quote }}
- name: LABBOOK_LOG_FORMAT
  value: {{ $v.server.logFormat | quote }}
{{- end }}

{{/* Pod-level scheduling fields shared by the server and the migrations Job. */}}
{{- define "labbook.scheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The port of the kubelet's gRPC probes: the plaintext health-only port when TLS is on. */}}
{{- define "labbook.probePort" -}}
{{- if .Values.tls.enabled -}}
{{ .Values.tls.healthPort }}
{{- else -}}
{{ .Values.server.port }}
{{- end -}}
{{- end }}

{{/* The web UI's public URL: server.publicUrl, else derived from the UI Ingress's first host
     (https with its tls), else empty (the server then derives its own). */}}
{{- define "labbook.publicUrl" -}}
{{- if .Values.server.publicUrl }}
{{- .Values.server.publicUrl | trimSuffix "/" }}
{{- else if and .Values.uiIngress.enabled .Values.uiIngress.hosts }}
{{- $host := (index .Values.uiIngress.hosts 0).host }}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.uiIngress.tls) 0)) $host }}
{{- end }}
{{- end }}

{{/* Where the server reads issuer i's JWKS when it comes from a ConfigMap. */}}
{{- define "labbook.jwksDir" -}}
{{- printf "/etc/labbook/jwks/%d" (int .) }}
{{- end }}

{{/* LABBOOK_JWT_ISSUERS: ISSUER or ISSUER=KEYS entries, comma-separated. Checks each issuer. */}}
{{- define "labbook.jwtIssuers" -}}
{{- $entries := list }}
{{- range $i, $iss := .Values.auth.jwt.issuers }}
{{- $sources := 0 }}
{{- range (list $iss.jwksConfigMap $iss.jwksUrl $iss.jwksFile) }}{{ if . }}{{ $sources = add1 $sources }}{{ end }}{{ end }}
{{- if gt $sources 1 }}
{{- fail (printf "auth.jwt.issuers[%d] (%s): give at most one of jwksConfigMap, jwksUrl and jwksFile" $i $iss.issuer) }}
{{- end }}
{{- if $iss.jwksConfigMap }}
{{- $entries = append $entries (printf "%s=%s/jwks.json" $iss.issuer (include "labbook.jwksDir" $i)) }}
{{- else if $iss.jwksUrl }}
{{- $entries = append $entries (printf "%s=%s" $iss.issuer $iss.jwksUrl) }}
{{- else if $iss.jwksFile }}
{{- $entries = append $entries (printf "%s=%s" $iss.issuer $iss.jwksFile) }}
{{- else }}
{{- $entries = append $entries $iss.issuer }}
{{- end }}
{{- end }}
{{- join "," $entries }}
{{- end }}

{{/* LABBOOK_JWT_ROLES: PRINCIPAL=PROJECT:ROLE entries, comma-separated. */}}
{{- define "labbook.jwtRoles" -}}
{{- $entries := list }}
{{- range .Values.auth.jwt.roles }}
{{- $entries = append $entries (printf "%s=%s:%s" .principal .project .role) }}
{{- end }}
{{- /* the runner pods of submitted runs: their ServiceAccount's role in the target's projects */}}
{{- range .Values.submit.targets }}
{{- $principal := printf "%s/%s" .namespace (default "labbook-runner" .serviceAccount) }}
{{- $role := default "editor" .role }}
{{- range (default (list "*") .projects) }}
{{- $entries = append $entries (printf "%s=%s:%s" $principal . $role) }}
{{- end }}
{{- end }}
{{- join "," ($entries | uniq) }}
{{- end }}

{{/* How runner pods reach the gRPC port: the Service's cluster DNS name (grpcs:// with TLS). */}}
{{- define "labbook.trackingUri" -}}
{{- printf "%s%s.%s.svc.cluster.local:%d" (ternary "grpcs://" "" .Values.tls.enabled) (include "labbook.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}

{{/* The runner image of submitted runs. */}}
{{- define "labbook.runnerImage" -}}
{{- printf "%s:%s" .Values.submit.runnerImage.repository (default .Chart.AppVersion .Values.submit.runnerImage.tag) }}
{{- end }}

{{/* LABBOOK_COMPUTE_TARGETS_FILE's content (docs/submit.md), from submit.targets. */}}
{{- define "labbook.computeTargets" -}}
{{- $root := . }}
{{- $targets := list }}
{{- $names := dict }}
{{- range .Values.submit.targets }}
{{- if hasKey $names .name }}
{{- fail (printf "submit.targets: the name %s is used twice" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- $t := dict "name" .name "kind" "kubernetes" "namespace" .namespace
    "image" (default (include "labbook.runnerImage" $root) .image)
    "serviceAccount" (default "labbook-runner" .serviceAccount)
    "trackingUri" (default (include "labbook.trackingUri" $root) .trackingUri)
    "tokenAudience" (ternary $root.Values.auth.jwt.audience "" $root.Values.auth.enabled)
    "nodeSelector" (default (dict) .nodeSelector)
    "tolerations" (default (list) .tolerations)
    "gpuResource" (default "" .gpuResource)
    "maxSnapshotBytes" (int64 (default 104857600 .maxSnapshotBytes))
    "projects" (default (list) .projects)
    "activeDeadlineSeconds" (int64 (default 0 .activeDeadlineSeconds))
    "ttlSecondsAfterFinished" (int64 (ternary .ttlSecondsAfterFinished 86400 (hasKey . "ttlSecondsAfterFinished")))
    "imagePullSecrets" (default (list) .imagePullSecrets) }}
{{- $targets = append $targets $t }}
{{- end }}
{{- toYaml (dict "targets" $targets) }}
{{- end }}

{{/* Access control env vars of the server (docs/security.md). */}}
{{- define "labbook.authEnv" -}}
{{- $auth := .Values.auth -}}
- name: LABBOOK_AUTH
  value: {{ ternary "on" "off" $auth.enabled | quote }}
{{- if not $auth.enabled }}
- name: LABBOOK_INSECURE_NO_AUTH
  value: "true"
{{- else }}
{{- with $auth.bootstrapToken.existingSecret }}
- name: LABBOOK_BOOTSTRAP_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $auth.bootstrapToken.key | quote }}
{{- end }}
{{- with (include "labbook.jwtIssuers" .) }}
- name: LABBOOK_JWT_ISSUERS
  value: {{ . | quote }}
- name: LABBOOK_JWT_AUDIENCE
  value: {{ $auth.jwt.audience | quote }}
{{- end }}
{{- with (include "labbook.jwtRoles" .) }}
- name: LABBOOK_JWT_ROLES
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
