# The monitoring stack: the Prometheus Operator and its CRDs, a Prometheus and
# an Alertmanager, node-exporter, kube-state-metrics, ServiceMonitors (for them,
# the API server and the kubelets), alert rules from var.alert_rules, and
# Grafana with the Prometheus datasource and the dashboards in ./dashboards.
#
# Static manifests are YAML templates in ./manifests; objects built from inputs
# (the PrometheusRule, the dashboards ConfigMap) are HCL objects. Every object
# is one kubernetes_manifest keyed "Kind/namespace/name" ("Kind/name" for
# cluster-scoped objects). The provider applies CRDs (and waits until they are
# Established) before the custom resources, and namespaces before their objects.

locals {
  prometheus_version   = "v3.2.1"
  alertmanager_version = "v0.28.1"
  operator_version     = "v0.81.0"

  images = {
    prometheus_operator = "quay.io/prometheus-operator/prometheus-operator:${local.operator_version}"
    config_reloader     = "quay.io/prometheus-operator/prometheus-config-reloader:${local.operator_version}"
    prometheus          = "quay.io/prometheus/prometheus:${local.prometheus_version}"
    alertmanager        = "quay.io/prometheus/alertmanager:${local.alertmanager_version}"
    node_exporter       = "quay.io/prometheus/node-exporter:v1.9.0"
    kube_state_metrics  = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0"
    grafana             = "docker.io/grafana/grafana:11.5.2"
  }

  labels = { "app.kubernetes.io/part-of" = "monitoring" }

  dashboards_dir = coalesce(var.grafana_dashboards_dir, "${path.module}/dashboards")
  dashboards     = { for f in sort(fileset(local.dashboards_dir, "*.json")) : f => file("${local.dashboards_dir}/${f}") }

  template_vars = {
    namespace               = var.namespace
    cluster_name            = var.cluster_name
    images                  = local.images
    prometheus_version      = local.prometheus_version
    alertmanager_version    = local.alertmanager_version
    prometheus_replicas     = var.prometheus_replicas
    prometheus_retention    = var.prometheus_retention
    prometheus_storage_size = var.prometheus_storage_size
    alertmanager_replicas   = var.alertmanager_replicas
    grafana_config_checksum = sha256(jsonencode(local.dashboards))
  }

  from_files = concat(flatten([
    for f in sort(fileset("${path.module}/manifests", "*.yaml")) :
    provider::kubernetes::manifest_decode_multi(templatefile("${path.module}/manifests/${f}", local.template_vars))
    if var.crd_manifests_file == null || f != "10-crds.yaml"
    ]), flatten([
    for path in(var.crd_manifests_file == null ? [] : [var.crd_manifests_file]) :
    [for m in provider::kubernetes::manifest_decode_multi(file(path)) : m if m.kind == "CustomResourceDefinition"]
  ]))

  generated = [
    {
      apiVersion = "monitoring.coreos.com/v1"
      kind       = "PrometheusRule"
      metadata = {
        name      = "platform-alerts"
        namespace = var.namespace
        labels    = merge(local.labels, { "app.kubernetes.io/name" = "prometheus" })
      }
      spec = {
        groups = [{
          name = "platform"
          rules = [for r in var.alert_rules : {
            alert       = r.alert
            expr        = r.expr
            for         = r.for
            labels      = { severity = r.severity }
            annotations = { summary = r.summary, description = r.description }
          }]
        }]
      }
    },
    {
      apiVersion = "v1"
      kind       = "ConfigMap"
      metadata = {
        name      = "grafana-dashboards"
        namespace = var.namespace
        labels    = merge(local.labels, { "app.kubernetes.io/name" = "grafana" })
      }
      data = local.dashboards
    },
  ]

  manifests = {
    for m in concat(local.from_files, local.generated) :
    join("/", compact([m.kind, try(m.metadata.namespace, ""), m.metadata.name])) => m
  }

  # Which resource below applies each object: namespaces and CRDs first,
  # then the other objects, then custom resources of the module's CRDs.
  crd_groups = distinct([for m in values(local.manifests) : m.spec.group if m.kind == "CustomResourceDefinition"])
  tier = {
    for k, m in local.manifests : k => (
      m.kind == "Namespace" ? "namespace" :
      m.kind == "CustomResourceDefinition" ? "crd" :
      contains(local.crd_groups, split("/", m.apiVersion)[0]) ? "custom" : "object"
    )
  }
}

# The provider orders namespaced objects after their namespace and custom
# resources after their CRD (waiting until it is Established), also within one
# apply; keeping the tiers in separate resources makes destroy run in reverse.
resource "kubernetes_manifest" "namespace" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "namespace" }

  manifest = each.value
}

resource "kubernetes_manifest" "crd" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "crd" }

  manifest = each.value
}

resource "kubernetes_manifest" "object" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "object" }

  manifest = each.value
}

# Custom resources are created once their controllers are, and destroyed
# while the controllers still run (so that they can remove their finalizers).
resource "kubernetes_manifest" "custom" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "custom" }

  manifest = each.value

  depends_on = [kubernetes_manifest.object]
}

# Secrets carry sensitive inputs, so they are kept out of the for_each map
# (whose keys must not be sensitive).
resource "kubernetes_manifest" "grafana_admin" {
  manifest = {
    apiVersion = "v1"
    kind       = "Secret"
    metadata = {
      name      = "grafana-admin"
      namespace = var.namespace
      labels    = merge(local.labels, { "app.kubernetes.io/name" = "grafana" })
    }
    type = "Opaque"
    data = { "admin-password" = base64encode(var.grafana_admin_password) }
  }
}

resource "kubernetes_manifest" "alertmanager_config" {
  manifest = {
    apiVersion = "v1"
    kind       = "Secret"
    metadata = {
      name      = "alertmanager-main"
      namespace = var.namespace
      labels    = merge(local.labels, { "app.kubernetes.io/name" = "alertmanager" })
    }
    type = "Opaque"
    data = { "alertmanager.yaml" = base64encode(var.alertmanager_config) }
  }
}
