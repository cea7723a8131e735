// Set before any test module loads: clients reach only the simulator, never instance metadata, and the
// AWS SDK's "Node < 22" notice stays out of the test output.
process.env.AWS_EC2_METADATA_DISABLED = 'true'
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
