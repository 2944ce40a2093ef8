//! The hops that account settings and peering add: VPC Block Public Access,
//! edge-to-edge routing through a peering connection, the Session Manager
//! preferences and the agent's buckets behind an S3 gateway endpoint.
