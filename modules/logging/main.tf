# The logging stack: Elasticsearch (StatefulSet), Fluentd (DaemonSet) that
# reads every container's log, adds the pod's namespace, name, container,
# node and labels (kubernetes metadata filter) and ships it to Elasticsearch
# as daily kubernetes-YYYY.MM.DD indices, Kibana, and the retention policy.
#
# Manifests are YAML templates in ./manifests, one kubernetes_manifest each,
# keyed "Kind/namespace/name" ("Kind/name" for cluster-scoped objects).

locals {
  elastic_version = "8.17.3"

  images = {
    elasticsearch = "docker.elastic.co/elasticsearch/elasticsearch:${local.elastic_version}"
    kibana        = "docker.elastic.co/kibana/kibana:${local.elastic_version}"
    fluentd       = "docker.io/fluent/fluentd-kubernetes-daemonset:v1.17-debian-elasticsearch8-1"
    busybox       = "docker.io/library/busybox:1.37.0"
    curl          = "docker.io/curlimages/curl:8.12.1"
  }

  heap_mi = tonumber(trimsuffix(trimsuffix(var.elasticsearch_heap, "m"), "g")) * (endswith(var.elasticsearch_heap, "g") ? 1024 : 1)

  # Twice the heap, in canonical form (2Gi, not 2048Mi) as the API server
  # stores quantities, so that a refresh finds what was applied.
  elasticsearch_memory = (local.heap_mi * 2) % 1024 == 0 ? "${local.heap_mi * 2 / 1024}Gi" : "${local.heap_mi * 2}Mi"

  template_vars = {
    namespace                  = var.namespace
    cluster_name               = var.cluster_name
    images                     = local.images
    retention_days             = var.retention_days
    elasticsearch_replicas     = var.elasticsearch_replicas
    elasticsearch_storage_size = var.elasticsearch_storage_size
    elasticsearch_heap         = var.elasticsearch_heap
    elasticsearch_memory       = local.elasticsearch_memory
    # In canonical form (2Gi, not 2048Mi), as the API server stores quantities.
    elasticsearch_memory   = (local.heap_mi * 2) % 1024 == 0 ? "${local.heap_mi * 2 / 1024}Gi" : "${local.heap_mi * 2}Mi"
    storage_class_name     = var.storage_class_name
    index_replicas         = var.elasticsearch_replicas > 1 ? 1 : 0
    kibana_public_base_url = var.kibana_public_base_url
    # Rolls the Fluentd pods when their configuration changes.
    fluentd_config_checksum = sha256(join("/", [filesha256("${path.module}/manifests/20-fluentd.yaml"), var.namespace, var.cluster_name]))
  }

  documents = flatten([
    for f in sort(fileset("${path.module}/manifests", "*.yaml")) :
    provider::kubernetes::manifest_decode_multi(templatefile("${path.module}/manifests/${f}", local.template_vars))
  ])

  manifests = {
    for m in local.documents :
    join("/", compact([m.kind, try(m.metadata.namespace, ""), m.metadata.name])) => m
  }

  tier = { for k, m in local.manifests : k => m.kind == "Namespace" ? "namespace" : "object" }
}

# The provider orders namespaced objects after their namespace, also within
# one apply; keeping namespaces in their own resource makes destroy remove
# the objects first.
resource "kubernetes_manifest" "namespace" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "namespace" }

  manifest = each.value
}

resource "kubernetes_manifest" "object" {
  for_each = { for k, m in local.manifests : k => m if local.tier[k] == "object" }

  manifest = each.value
}
