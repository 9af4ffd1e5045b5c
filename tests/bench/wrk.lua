-- The one HTTP load script of ./samhand bench: wrk drives samhand, nginx and
-- PostGraphile with it, and it prints one line of figures per run.
--
--   wrk -t2 -cN -dS -s wrk.lua http://127.0.0.1:PORT -- NAME METHOD PATH BODY KEY
--   BODY: "-" (none), "organization" (a new organisation each request, with a
--         valid organisation number), or the path of a file sent as it is
--   KEY:  "-" (no Authorization header) or the API key sent as a bearer token
--   SAMHAND_WRK_DELAY_MS in the environment (./samhand soak): each connection
--         waits that long before each request, for a steady rate instead of
--         wrk's most; without it, no delay() is defined and wrk runs flat out
--
-- Prints: requests=R errors=E rps=X p50_ms=Y p99_ms=Z (errors: answers other
-- than 2xx/3xx, and broken connections); done() runs in wrk's main state,
-- which never sees the arguments, so the caller prints NAME before it.

local method, path, body_arg, key
local threads = {}
local counter = 0

local function read_file(file)
  local f = assert(io.open(file, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  method, path, body_arg, key = args[2], args[3], args[4], args[5]
  -- added to wrk's own headers, which hold Host
  wrk.headers["Content-Type"] = "application/json"
  if key and key ~= "-" then
    wrk.headers["Authorization"] = "Bearer " .. key
  end
  wrk.method = method
  wrk.path = path
  if body_arg and body_arg ~= "-" and body_arg ~= "organization" then
    wrk.body = read_file(body_arg)
  end
  -- numbers of this thread: its own residue (of 16), in a block of the
  -- number space that the second this run started chose (128 blocks of
  -- 44 000 numbers a thread, more than a phase makes): the warm-up and the
  -- run after it, seconds apart, never make the same number (a random
  -- start did now and then, and the overlap was answered 409)
  counter = (os.time() % 128) * 44000 * 16 + index
end

-- The next 9-digit organisation number with a valid mod-11 check digit.
local weights = { 3, 2, 7, 6, 5, 4, 3, 2 }
local function next_number()
  while true do
    counter = counter + 16
    local digits = string.format("%08d", 10000000 + counter % 90000000)
    local sum = 0
    for i = 1, 8 do
      sum = sum + tonumber(digits:sub(i, i)) * weights[i]
    end
    local check = 11 - sum % 11
    if check == 11 then check = 0 end
    if check ~= 10 then return digits .. check end
  end
end

-- wrk asks its main state whether delay() exists, before init(): so it is
-- defined at load time, from the environment, or not at all
local delay_ms = tonumber(os.getenv("SAMHAND_WRK_DELAY_MS") or "")
if delay_ms then
  function delay() return delay_ms end
end

local fixed = nil
function request()
  if body_arg == "organization" then
    local n = next_number()
    return wrk.format(nil, nil, nil, string.format(
      '{"name":"Bench kommune %s","organizationNumber":"%s","kind":"MUNICIPALITY"}', n, n))
  end
  if not fixed then fixed = wrk.format() end
  return fixed
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n", summary.requests, errors,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  if errors > 0 then -- which kind, on a line of its own (not a figure)
    io.stderr:write(string.format("errors: connect=%d read=%d write=%d status=%d timeout=%d\n",
      e.connect, e.read, e.write, e.status, e.timeout))
  end
end
