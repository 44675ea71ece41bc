# An ingress controller (ingress-nginx) behind a LoadBalancer Service, and a
# sample app exposed through it: Deployment -> Service -> Ingress.
#
# Manifests are YAML templates in ./manifests (90-app.yaml only when
# var.create_app), one kubernetes_manifest each, keyed "Kind/namespace/name"
# ("Kind/name" for cluster-scoped objects). The provider applies namespaces
# before their objects.

locals {
  images = {
    controller = "registry.k8s.io/ingress-nginx/controller:v1.12.1"
  }

  template_vars = {
    namespace                   = var.namespace
    ingress_class_name          = var.ingress_class_name
    default_ingress_class       = var.default_ingress_class
    controller_replicas         = var.controller_replicas
    controller_config           = var.controller_config
    load_balancer_annotations   = var.load_balancer_annotations
    load_balancer_source_ranges = var.load_balancer_source_ranges
    images                      = local.images
    app_image                   = var.app_image
    app_name                    = var.app_name
    app_namespace               = var.app_namespace
    app_replicas                = var.app_replicas
    app_port                    = var.app_port
    app_health_path             = var.app_health_path
    app_host                    = var.app_host
  }

  files = [
    for f in sort(fileset("${path.module}/manifests", "*.yaml")) : f
    if var.create_app || !startswith(f, "90-app")
  ]

  documents = flatten([
    for f in local.files :
    provider::kubernetes::manifest_decode_multi(templatefile("${path.module}/manifests/${f}", local.template_vars))
  ])

  manifests = {
    for m in local.documents :
    join("/", compact([m.kind, try(m.metadata.namespace, ""), m.metadata.name])) => m
  }

  # Keys and tiers come from a rendering with a stand-in image: the app image
  # may be known only after apply (a repository made in the same run) but it
  # never changes which objects there are, so the for_each keys below stay
  # known at plan time.
  shape = flatten([
    for f in local.files :
    provider::kubernetes::manifest_decode_multi(templatefile("${path.module}/manifests/${f}", merge(local.template_vars, { app_image = "stand-in" })))
  ])

  tier = {
    for m in local.shape :
    join("/", compact([m.kind, try(m.metadata.namespace, ""), m.metadata.name])) => m.kind == "Namespace" ? "namespace" : "object"
  }
}

# The provider orders namespaced objects after their namespace, also within
# one apply; keeping namespaces in their own resource makes destroy remove
# the objects first.
resource "kubernetes_manifest" "namespace" {
  for_each = toset([for k, t in local.tier : k if t == "namespace"])

  manifest = local.manifests[each.key]
}

resource "kubernetes_manifest" "object" {
  for_each = toset([for k, t in local.tier : k if t == "object"])

  manifest = local.manifests[each.key]
}
