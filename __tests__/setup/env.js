// The environment of every test file (both jest projects), set before any module is loaded.
// Tests reach AWS only through fakes or the local simulator: never let the SDK look for instance metadata.
process.env.AWS_EC2_METADATA_DISABLED = 'true'
// The AWS SDK's own switch for its "Node < 22" notice (the action itself still shows it to its users).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
