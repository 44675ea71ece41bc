run "check_fails" {
  variables {
    size = 4
  }

  expect_failures = [check.lucky]
}

run "check_passes" {
  variables {
    size = 3
  }
}
