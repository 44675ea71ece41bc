run "apply_with_expected" {
  variables {
    name = "much-too-long"
  }

  expect_failures = [var.name]
}

run "after" {
  command = plan
}
