"""AWS's rules for the audit evidence resources, in one home next to compliance.facts: AWS Backup Audit Manager
controls and frameworks, report plans, restore testing. Each figure names the AWS page it comes from."""

from __future__ import annotations

# -- AWS Backup Audit Manager ("Controls and remediation", "AWS Backup quotas"): each control and its parameters --
CONTROL_PARAMETERS: dict[str, frozenset[str]] = {name: frozenset(parameters.split()) for name, parameters in {
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN": "",
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK":
        "requiredFrequencyUnit requiredFrequencyValue requiredRetentionDays",
    "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED": "principalArnList",
    "BACKUP_RECOVERY_POINT_ENCRYPTED": "",
    "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK": "requiredRetentionDays",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION": "crossRegionList",
    "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT": "crossAccountList",
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK": "minRetentionDays maxRetentionDays",
    "BACKUP_LAST_RECOVERY_POINT_CREATED": "recoveryPointAgeUnit recoveryPointAgeValue",
    "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET": "maxRestoreTime",
    "RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT": "recoveryPointAgeUnit recoveryPointAgeValue",
}.items()}
MAX_CONTROL_PRINCIPALS = 5  # BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED principalArnList: "up to five IAM roles"
MAX_CONTROL_ACCOUNTS = 5  # BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT: "You can add up to 5 accounts"
CONTROL_FREQUENCY_RANGE = {"hours": 24, "days": 31}  # requiredFrequencyValue: "Maximum of 24 for hours, 31 for days"
CONTROL_RECOVERY_POINT_AGE_RANGE = {"hours": 744, "days": 31}  # recoveryPointAgeValue
MAX_CONTROLS = 50  # controls per account and Region; a control in two frameworks counts twice
MAX_FRAMEWORK_DESCRIPTION = 1_024  # CreateFramework FrameworkDescription

# -- AWS Backup restore testing ("Restore testing", API RestoreTestingSelectionForCreate, "AWS Backup quotas") -----
RESTORE_TESTING_TYPES = ("Aurora", "DocumentDB", "DynamoDB", "EBS", "EC2", "EFS", "FSx", "Neptune", "RDS", "S3")
RESTORE_START_WINDOW_HOURS = (1, 168)  # StartWindowHours, default 24
RESTORE_SELECTION_WINDOW_DAYS = (1, 365)  # SelectionWindowDays, default 30
RESTORE_VALIDATION_WINDOW_HOURS = (1, 168)  # AWS takes 0 too; the provider validates 1 to 168
RESTORE_TESTING_NAME_FORM = r"[a-zA-Z0-9_]{1,50}"  # plan and selection names
# RestoreMetadataOverrides keys per type ("Restore testing inferred metadata"; not case sensitive).
RESTORE_METADATA_KEYS: dict[str, tuple[str, ...]] = {kind: tuple(keys.split()) for kind, keys in {
    "DynamoDB": "encryptionType kmsMasterKeyArn",
    "EBS": "availabilityZone iops kmsKeyId throughput volumeSize volumeType",
    "EC2": "iamInstanceProfileName instanceType requireImdsV2 securityGroupIds subnetId",
    "EFS": "kmsKeyId performanceMode",
    "Aurora": "availabilityZones databaseName dbClusterParameterGroupName dbSubnetGroupName "
              "enableCloudwatchLogsExports enableIamDatabaseAuthentication engine engineMode engineVersion kmsKeyId "
              "port optionGroupName scalingConfiguration vpcSecurityGroupIds",
    "RDS": "allocatedStorage availabilityZones dbInstanceClass dbName dbParameterGroupName dbSubnetGroupName domain "
           "domainIamRoleName enableCloudwatchLogsExports enableIamDatabaseAuthentication iops licenseModel multiAz "
           "optionGroupName port processorFeatures publiclyAccessible storageType vpcSecurityGroupIds",
}.items()}

# -- AWS Backup Audit Manager report plans (CreateReportPlan, ReportSetting, ReportDeliveryChannel; "Creating report
# plans using the AWS Backup API / console"; "AWS Backup quotas") ---------------------------------------------------
# AWS also lists SCAN_JOB_REPORT; terraform-provider-aws (consts.go) still validates only these five.
REPORT_TEMPLATES = ("RESOURCE_COMPLIANCE_REPORT", "CONTROL_COMPLIANCE_REPORT", "BACKUP_JOB_REPORT", "COPY_JOB_REPORT",
                    "RESTORE_JOB_REPORT")
FRAMEWORK_REPORT_TEMPLATES = ("RESOURCE_COMPLIANCE_REPORT", "CONTROL_COMPLIANCE_REPORT")  # report on frameworks
REPORT_FORMATS = ("CSV", "JSON")  # JSON only for a report of the current account and Region
# "Number of report plans per account 20" (Developer Guide; Service Quotas says per Region, adjustable): the config
# counts them per account, the stricter reading.
MAX_REPORT_PLANS = 20
MAX_REPORT_PLAN_DESCRIPTION = 1_024  # ReportPlanDescription
# The service-linked role Backup Audit Manager delivers reports with; a key or bucket policy naming it is refused
# ("Invalid principal") until it exists. Its managed policy grants no s3:PutObject and no kms action: the bucket
# and key policies must.
REPORTS_SERVICE = "reports.backup.amazonaws.com"
REPORTS_ROLE_PATH = f"role/aws-service-role/{REPORTS_SERVICE}/AWSServiceRoleForBackupReports"
# On the bucket's customer managed key: "kms:GenerateDataKey and kms:Decrypt at minimum" (API page); the console
# page's snippet grants kms:Encrypt too.
REPORTS_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt")
# S3 Object Lock: "The maximum retention period is 100 years" (S3 User Guide, "Managing Object Lock").
MAX_OBJECT_LOCK_DAYS = 36_500
