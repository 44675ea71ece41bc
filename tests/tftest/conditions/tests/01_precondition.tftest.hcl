run "too_big" {
  command = plan

  variables {
    size = 20
  }

  expect_failures = [terraform_data.sized]
}

run "fine" {
  command = plan

  assert {
    condition     = terraform_data.sized.input == 1
    error_message = "default size"
  }
}
