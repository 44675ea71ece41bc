variables {
  name     = "api"
  replicas = 3
}

run "file_level" {
  command = plan

  assert {
    condition     = local.full == "api-3"
    error_message = "file-level variables apply"
  }
}

run "run_level_wins" {
  command = plan

  variables {
    replicas = 1
  }

  assert {
    condition     = local.full == "api-1"
    error_message = "run-level variables override file-level ones"
  }

  assert {
    condition     = var.replicas == 1
    error_message = "var in assertions is the run's"
  }
}
