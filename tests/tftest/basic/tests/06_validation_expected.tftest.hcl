run "too_long" {
  command = plan

  variables {
    name = "much-too-long"
  }

  expect_failures = [var.name]
}

run "ok_after" {
  command = plan

  assert {
    condition     = var.name == "web"
    error_message = "default name"
  }
}
