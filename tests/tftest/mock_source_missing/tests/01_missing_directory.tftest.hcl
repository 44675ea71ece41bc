mock_provider "terraform" {
  source = "./no-such-mocks"
}

run "never" {
  command = plan
}
