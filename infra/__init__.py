"""Infrastructure: the CloudFormation merged into chalice's template, and the local stand-in for AWS."""
