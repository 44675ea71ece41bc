run "cursed" {
  variables {
    size = 5
  }

  expect_failures = [terraform_data.sized]
}
