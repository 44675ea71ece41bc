# Unit tests of the logging module with a mocked kubernetes provider.

mock_provider "kubernetes" {}

variables {
  cluster_name = "demo"
}

run "renders_the_stack" {
  command = plan

  assert {
    condition     = output.manifests["StatefulSet/logging/elasticsearch"].spec.replicas == 1
    error_message = "one Elasticsearch node by default"
  }

  assert {
    condition     = contains(keys(kubernetes_manifest.namespace), "Namespace/logging")
    error_message = "the namespace is its own resource"
  }

  assert {
    condition     = output.elasticsearch_url == "http://elasticsearch.logging.svc:9200"
    error_message = "in-cluster Elasticsearch URL"
  }

  assert {
    condition     = output.object_count == length(kubernetes_manifest.namespace) + length(kubernetes_manifest.object)
    error_message = "every rendered object is managed"
  }
}

run "three_node_cluster_in_another_namespace" {
  command = plan

  variables {
    namespace              = "logs"
    elasticsearch_replicas = 3
  }

  assert {
    condition     = output.manifests["StatefulSet/logs/elasticsearch"].spec.replicas == 3
    error_message = "three nodes"
  }

  assert {
    condition     = output.kibana_url == "http://kibana.logs.svc:5601"
    error_message = "URLs follow the namespace"
  }
}

run "two_nodes_cannot_elect" {
  command = plan

  variables {
    elasticsearch_replicas = 2
  }

  expect_failures = [var.elasticsearch_replicas]
}

run "retention_bounds" {
  command = plan

  variables {
    retention_days = 0
  }

  expect_failures = [var.retention_days]
}

run "apply_mocked" {
  assert {
    condition     = output.retention_days == 7
    error_message = "seven days by default"
  }
}
