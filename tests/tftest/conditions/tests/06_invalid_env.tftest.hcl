run "bad_env" {
  command = plan

  variables {
    env = "qa"
  }

  expect_failures = [var.env]
}

run "wrong_expectation" {
  command = plan

  variables {
    env = "qa"
  }

  expect_failures = [output.env]
}
