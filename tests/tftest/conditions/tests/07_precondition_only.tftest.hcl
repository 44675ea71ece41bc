run "too_big_apply" {
  variables {
    size = 20
  }

  expect_failures = [terraform_data.sized]
}

run "after" {
  command = plan
}
