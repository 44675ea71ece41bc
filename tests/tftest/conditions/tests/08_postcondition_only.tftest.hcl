run "cursed_plan" {
  command = plan

  variables {
    size = 5
  }

  expect_failures = [terraform_data.sized]
}

run "after" {
  command = plan
}
