/**
 * hpvs-ctl's default Kata agent policy template (package agent_policy, OPA v1 syntax): every
 * agent request is decided by a default; creating a container is refused unless the generated
 * rules admit its image and command. Requests that would let someone outside the confidential
 * VM read into it or change it (exec, setting a new policy) are refused. The generator replaces
 * the marker line with the pod's rules.
 */
export const POLICY_MARKER =
  '# --- generator inserts CreateContainerRequest, allow_image, and allow_command rules here ---';

export const DEFAULT_AGENT_POLICY_TEMPLATE = `package agent_policy

# Requests the pod needs to start, run and stop.
default AddARPNeighborsRequest := true
default AddSwapRequest := true
default CloseStdinRequest := true
default CopyFileRequest := true
default CreateSandboxRequest := true
default DestroySandboxRequest := true
default GetMetricsRequest := true
default GetOOMEventRequest := true
default GuestDetailsRequest := true
default ListInterfacesRequest := true
default ListRoutesRequest := true
default MemHotplugByProbeRequest := true
default OnlineCPUMemRequest := true
default PauseContainerRequest := true
default PullImageRequest := true
default ReadStreamRequest := true
default RemoveContainerRequest := true
default RemoveStaleVirtiofsShareMountsRequest := true
default ReseedRandomDevRequest := true
default ResumeContainerRequest := true
default SetGuestDateTimeRequest := true
default SignalProcessRequest := true
default StartContainerRequest := true
default StartTracingRequest := true
default StatsContainerRequest := true
default StopTracingRequest := true
default TtyWinResizeRequest := true
default UpdateContainerRequest := true
default UpdateEphemeralMountsRequest := true
default UpdateInterfaceRequest := true
default UpdateRoutesRequest := true
default WaitProcessRequest := true
default WriteStreamRequest := true

# Refused: running commands inside containers and replacing this policy from outside the VM.
default ExecProcessRequest := false
default SetPolicyRequest := false

# Refused unless a rule below admits the container's image and command.
default CreateContainerRequest := false

${POLICY_MARKER}
`;
