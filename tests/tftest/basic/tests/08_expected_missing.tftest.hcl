run "no_failure" {
  command = plan

  expect_failures = [var.name]
}

run "next" {
  command = plan
}
