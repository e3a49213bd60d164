#!/usr/bin/env bash
# TLS for the hush injector without cert-manager: a CA of its own and a serving certificate
# for the Service's DNS names, made with openssl. Writes into OUTDIR (default ./hush-tls):
#   ca.crt ca.key tls.crt tls.key    keep ca.key offline; rerun before tls.crt expires
#   tls-secret.yaml                  the Secret the Deployment mounts (hush-injector-tls)
#   webhook.yaml                     webhook.yaml beside this script, with caBundle set
# Then: kubectl apply -f injector.yaml -f OUTDIR/tls-secret.yaml -f OUTDIR/webhook.yaml
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-./hush-tls}
namespace=${HUSH_NAMESPACE:-hush-system}
service=${HUSH_SERVICE:-hush-injector}
days=${HUSH_CERT_DAYS:-365}

mkdir -p "$out"
cd "$out"
umask 077

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout ca.key -out ca.crt -days "$((days * 5))" -subj "/CN=hush injector CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout tls.key -out tls.csr -subj "/CN=$service.$namespace.svc" 2>/dev/null
printf 'subjectAltName=DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
  "$service" "$namespace" "$service" "$namespace" > tls.ext
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
  -extfile tls.ext -out tls.crt 2>/dev/null
rm -f tls.csr tls.ext ca.srl
openssl verify -CAfile ca.crt tls.crt >/dev/null

b64() { base64 -w0 < "$1"; }

cat > tls-secret.yaml <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $service-tls
  namespace: $namespace
type: kubernetes.io/tls
data:
  tls.crt: $(b64 tls.crt)
  tls.key: $(b64 tls.key)
  ca.crt: $(b64 ca.crt)
YAML

# The webhook with caBundle under clientConfig, and without the cert-manager annotation.
awk -v bundle="$(b64 ca.crt)" '
  /cert-manager.io\/inject-ca-from/ { next }
  /^  annotations:$/ { held = $0; next }
  held != "" { if ($0 ~ /^    /) print held; held = "" }
  { print }
  /^    clientConfig:$/ { print "      caBundle: " bundle }
' "$here/webhook.yaml" > webhook.yaml

echo "wrote $out/{ca.crt,ca.key,tls.crt,tls.key,tls-secret.yaml,webhook.yaml}"
