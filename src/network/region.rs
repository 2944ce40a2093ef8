//! Facts about AWS regions: which exist, and their S3 prefix lists (the
//! repository of each AMI family is in [`super::ami`]).
//!
//! Prefix-list IDs come from `shared/research/aws-semantics.md` §4.3: only
//! rows with high (H) or medium (M) confidence are shipped as facts — raw
//! `aws ec2 describe-prefix-lists` output plus an independent table
//! (aws-cloudformation/cloudformation-coverage-roadmap#453). Elsewhere a
//! hard-coded ID is unknown (PN207), never a guess.

/// Every commercial region privnet-lint knows (what `--region all` means).
pub const COMMERCIAL_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
];

/// (region, S3 prefix list, DynamoDB prefix list) with high or medium
/// confidence.
const PREFIX_LISTS: &[(&str, &str, Option<&str>)] = &[
    ("us-east-1", "pl-63a5400a", Some("pl-02cd2c6b")),
    ("us-east-2", "pl-7ba54012", Some("pl-4ca54025")),
    ("us-west-1", "pl-6ba54002", Some("pl-6ea54007")),
    ("us-west-2", "pl-68a54001", Some("pl-00a54069")),
    ("ca-central-1", "pl-7da54014", Some("pl-4ea54027")),
    ("sa-east-1", "pl-6aa54003", Some("pl-60a54009")),
    ("eu-west-1", "pl-6da54004", Some("pl-6fa54006")),
    ("eu-west-2", "pl-7ca54015", Some("pl-b3a742da")),
    ("eu-west-3", "pl-23ad484a", Some("pl-abb451c2")),
    ("eu-central-1", "pl-6ea54007", Some("pl-66a5400f")),
    ("eu-north-1", "pl-c3aa4faa", Some("pl-adae4bc4")),
    ("ap-northeast-1", "pl-61a54008", Some("pl-78a54011")),
    ("ap-northeast-2", "pl-78a54011", Some("pl-48a54021")),
    ("ap-south-1", "pl-78a54011", Some("pl-66a7420f")),
    ("ap-southeast-1", "pl-6fa54006", Some("pl-67a5400e")),
    ("ap-southeast-2", "pl-6ca54005", Some("pl-62a5400b")),
];

/// True for a region name privnet-lint knows.
pub fn is_known_region(region: &str) -> bool {
    COMMERCIAL_REGIONS.contains(&region)
}

/// The AWS-managed S3 prefix list of `region`, when known with confidence.
pub fn s3_prefix_list(region: &str) -> Option<&'static str> {
    PREFIX_LISTS.iter().find(|(r, _, _)| *r == region).map(|(_, s3, _)| *s3)
}

/// What a hard-coded AWS-managed prefix-list ID is in `region`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixListMeaning {
    /// The region's S3 list.
    S3,
    /// The region's DynamoDB list (IDs collide across regions and services).
    DynamoDb,
    /// Known in other regions only: `(region, service)` pairs.
    ElsewhereOnly(Vec<(&'static str, &'static str)>),
    /// Not in the table; the region's own list is unknown or different.
    Unknown,
}

/// Looks a prefix-list ID up for `region`.
pub fn prefix_list_meaning(id: &str, region: &str) -> PrefixListMeaning {
    for (r, s3, ddb) in PREFIX_LISTS {
        if *r == region {
            if *s3 == id {
                return PrefixListMeaning::S3;
            }
            if *ddb == Some(id) {
                return PrefixListMeaning::DynamoDb;
            }
        }
    }
    let elsewhere: Vec<(&'static str, &'static str)> = PREFIX_LISTS
        .iter()
        .flat_map(|(r, s3, ddb)| {
            let mut v = Vec::new();
            if *s3 == id {
                v.push((*r, "S3"));
            }
            if *ddb == Some(id) {
                v.push((*r, "DynamoDB"));
            }
            v
        })
        .collect();
    // An ID known elsewhere means something else here only if this region's
    // own lists are known; otherwise it may well be this region's.
    if !elsewhere.is_empty() && s3_prefix_list(region).is_some() {
        PrefixListMeaning::ElsewhereOnly(elsewhere)
    } else {
        PrefixListMeaning::Unknown
    }
}

/// True for an ID of the table: an AWS-managed list (S3 or DynamoDB) in
/// some region, which holds only the service's public addresses wherever
/// it exists, never a VPC's private range.
pub fn is_aws_managed_prefix_list(id: &str) -> bool {
    PREFIX_LISTS.iter().any(|(_, s3, ddb)| *s3 == id || *ddb == Some(id))
}

/// The regions where `id` is a known AWS-managed prefix list (of S3 or
/// DynamoDB): a template that hard-codes it was written for one of them.
pub fn prefix_list_owners(id: &str) -> Vec<&'static str> {
    PREFIX_LISTS.iter().filter(|(_, s3, ddb)| *s3 == id || *ddb == Some(id)).map(|(r, _, _)| *r).collect()
}

/// Why a hard-coded prefix-list ID used as an S3 destination is wrong in
/// `region`, if it certainly is: it does not exist there (another
/// region's list), or it is S3 elsewhere but another service here (the IDs
/// collide). A region's own DynamoDB list is left alone: allowing it is
/// legitimate.
pub fn prefix_list_mistake(id: &str, region: &str) -> Option<String> {
    let own = s3_prefix_list(region).map(|p| format!(" (S3 in {region} is {p})")).unwrap_or_default();
    match prefix_list_meaning(id, region) {
        PrefixListMeaning::ElsewhereOnly(places) => {
            let places: Vec<String> = places.iter().map(|(r, s)| format!("{s} in {r}")).collect();
            Some(format!(
                "`{id}` is the prefix list of {}, not of S3 in {region}{own}: it does not exist in {region}, so the stack fails to create (InvalidPrefixListID.NotFound)",
                places.join(" and ")
            ))
        }
        PrefixListMeaning::DynamoDb if PREFIX_LISTS.iter().any(|(_, s3, _)| *s3 == id) => Some(format!(
            "`{id}` is S3 in other regions but the DynamoDB prefix list in {region}{own}: the rule silently allows DynamoDB instead of S3"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_lists_collide_across_regions_and_services() {
        assert_eq!(prefix_list_meaning("pl-61a54008", "ap-northeast-1"), PrefixListMeaning::S3);
        assert_eq!(prefix_list_meaning("pl-78a54011", "ap-northeast-1"), PrefixListMeaning::DynamoDb);
        assert_eq!(prefix_list_meaning("pl-78a54011", "ap-south-1"), PrefixListMeaning::S3);
        assert_eq!(
            prefix_list_meaning("pl-61a54008", "us-east-1"),
            PrefixListMeaning::ElsewhereOnly(vec![("ap-northeast-1", "S3")])
        );
        assert_eq!(prefix_list_meaning("pl-12345678", "us-east-1"), PrefixListMeaning::Unknown);
        // a region whose own list is not known: cannot say it is wrong
        assert_eq!(prefix_list_meaning("pl-61a54008", "ap-east-1"), PrefixListMeaning::Unknown);
    }
}
