run "prod_small" {
  command = plan

  variables {
    env = "prod"
  }

  expect_failures = [output.env]
}

run "prod_big" {
  command = plan

  variables {
    env  = "prod"
    size = 2
  }

  assert {
    condition     = output.env == "prod"
    error_message = "prod"
  }
}
