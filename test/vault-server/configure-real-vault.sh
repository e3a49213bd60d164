#!/usr/bin/env bash
# Lays out a real (dev-mode) Vault the way the Vault test server starts: KV v1 at kv/, KV v2 at
# secret/, database/ with a "postgres" connection, pki/ with a root CA, AppRole and Kubernetes
# auth. Idempotent. Only Vault HTTP API calls, through curl.
set -euo pipefail
: "${VAULT_ADDR:?set VAULT_ADDR}" "${VAULT_TOKEN:?set VAULT_TOKEN}"
PG_HOST=${POSTGRES_HOST:-postgres}
PG_PASSWORD=${POSTGRES_PASSWORD:-hush-test-only}

api() { # METHOD PATH [JSON]
  local args=(-sS --fail-with-body -o /dev/null -X "$1" -H "X-Vault-Token: ${VAULT_TOKEN}")
  if [ $# -ge 3 ]; then args+=(-H 'Content-Type: application/json' --data "$3"); fi
  curl "${args[@]}" "${VAULT_ADDR}/v1/$2"
}

# mounted mounts|auth NAME: whether NAME/ is already enabled
mounted() {
  curl -sS -H "X-Vault-Token: ${VAULT_TOKEN}" "${VAULT_ADDR}/v1/sys/$1" | grep -q "\"$2/\""
}

for _ in $(seq 1 60); do
  if curl -sf -o /dev/null "${VAULT_ADDR}/v1/sys/health"; then break; fi
  sleep 1
done

mounted mounts secret || api POST sys/mounts/secret '{"type":"kv","options":{"version":"2"}}'
mounted mounts kv || api POST sys/mounts/kv '{"type":"kv","options":{"version":"1"}}'

mounted mounts database || api POST sys/mounts/database '{"type":"database"}'
api POST database/config/postgres "{\"plugin_name\":\"postgresql-database-plugin\",\"allowed_roles\":\"*\",\"connection_url\":\"postgresql://{{username}}:{{password}}@${PG_HOST}:5432/postgres?sslmode=disable\",\"username\":\"postgres\",\"password\":\"${PG_PASSWORD}\"}"

if ! mounted mounts pki; then
  api POST sys/mounts/pki '{"type":"pki","config":{"max_lease_ttl":"87600h"}}'
  api POST pki/root/generate/internal '{"common_name":"hush test root CA","ttl":"87600h"}'
fi

mounted auth approle || api POST sys/auth/approle '{"type":"approle"}'
mounted auth kubernetes || api POST sys/auth/kubernetes '{"type":"kubernetes"}'
# No cluster here: roles can be written and unknown roles refused, but logins cannot succeed.
api POST auth/kubernetes/config '{"kubernetes_host":"https://kubernetes.invalid:6443"}'

echo "configure-real-vault: ${VAULT_ADDR} is ready"
