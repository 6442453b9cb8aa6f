-- A CronJob health check written for kiln's tests, giving Argo CD's statuses and messages.
local hs = {}
if obj.spec.suspend == true then
  hs.status = "Healthy"
  hs.message = "CronJob is Suspended"
  return hs
end
if obj.status == nil then
  return { status = "Progressing", message = "Waiting for CronJob" }
end
local scheduled = obj.status.lastScheduleTime
local succeeded = obj.status.lastSuccessfulTime
if scheduled == nil then
  return { status = "Healthy", message = "CronJob has not been scheduled yet" }
end
if succeeded == nil then
  return { status = "Healthy", message = "The CronJob never completed successfully. It may not be healthy" }
end
if obj.status.active ~= nil and table.getn(obj.status.active) > 0 then
  return { status = "Healthy", message = "The job is running. Its last execution may not have been successful" }
end
if succeeded < scheduled then
  return { status = "Degraded", message = "CronJob has not completed its last execution successfully" }
end
return { status = "Healthy", message = "CronJob has completed its last execution successfully" }
