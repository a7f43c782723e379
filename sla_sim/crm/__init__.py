"""A team's CRM export (SPEC §11): its canonical fields, the profiles that name them in the
exports of HubSpot, Salesforce, Pipedrive and RD Station, and reading them as they come."""
