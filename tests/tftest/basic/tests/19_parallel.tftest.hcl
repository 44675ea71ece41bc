run "a" {
  command  = plan
  parallel = true

  assert {
    condition     = var.replicas == 2
    error_message = "default"
  }
}

run "b" {
  command  = plan
  parallel = true

  assert {
    condition     = var.name == "wrong"
    error_message = "fails"
  }
}
