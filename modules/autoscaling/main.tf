# The three autoscalers: metrics-server (resource metrics for the Horizontal
# Pod Autoscaler), the Vertical Pod Autoscaler (CRDs, recommender, updater,
# admission controller) and the Cluster Autoscaler (AWS, Auto Scaling groups
# discovered by tag), plus an example HorizontalPodAutoscaler.
#
# Manifests are YAML templates in ./manifests (90-example.yaml only when
# var.create_example), one kubernetes_manifest each, keyed "Kind/namespace/name"
# ("Kind/name" for cluster-scoped objects). The provider applies the VPA CRDs
# (and waits until they are Established) before the example's
# VerticalPodAutoscaler, and namespaces before their objects.

locals {
  vpa_version = "1.3.0"

  kube_minor                 = join(".", slice(split(".", var.kubernetes_version), 0, 2))
  cluster_autoscaler_version = coalesce(var.cluster_autoscaler_version, "v${local.kube_minor}.0")

  images = {
    metrics_server           = "registry.k8s.io/metrics-server/metrics-server:v0.7.2"
    vpa_recommender          = "registry.k8s.io/autoscaling/vpa-recommender:${local.vpa_version}"
    vpa_updater              = "registry.k8s.io/autoscaling/vpa-updater:${local.vpa_version}"
    vpa_admission_controller = "registry.k8s.io/autoscaling/vpa-admission-controller:${local.vpa_version}"
    certgen                  = "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.5.2"
    cluster_autoscaler       = "registry.k8s.io/autoscaling/cluster-autoscaler:${local.cluster_autoscaler_version}"
  }

  template_vars = {
    namespace                   = var.namespace
    cluster_name                = var.cluster_name
    aws_region                  = var.aws_region
    cluster_autoscaler_role_arn = var.cluster_autoscaler_role_arn
    expander                    = var.expander
    scale_down_unneeded_time    = var.scale_down_unneeded_time
    images                      = local.images
    example_namespace           = var.example_namespace
    example_image               = var.example_image
    example_port                = var.example_port
    example_min_replicas        = var.example_hpa.min_replicas
    example_max_replicas        = var.example_hpa.max_replicas
    example_cpu_utilization     = var.example_hpa.cpu_utilization
  }

  files = [
    for f in sort(fileset("${path.module}/manifests", "*.yaml")) : f
    if(var.create_example || !startswith(f, "90-example")) && (var.crd_manifests_file == null || f != "20-vpa-crds.yaml")
  ]

  documents = concat(flatten([
    for f in local.files :
    provider::kubernetes::manifest_decode_multi(templatefile("${path.module}/manifests/${f}", local.template_vars))
    ]), flatten([
    for path in(var.crd_manifests_file == null ? [] : [var.crd_manifests_file]) :
    [for m in provider::kubernetes::manifest_decode_multi(file(path)) : m if m.kind == "CustomResourceDefinition"]
  ]))

  manifests = {
    for m in local.documents :
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
