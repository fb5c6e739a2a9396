/*
 * A fake libnvidia-ml.so for tests: the NVML entry points Tern's JNA binding calls, with the same
 * signatures and return codes as the real library, and behaviour a test can steer.
 *
 * Every knob is read first from a value set through the exported fake_nvml_set(key, value)
 * (tests call it through JNA), then from the environment variable FAKE_NVML_<key>:
 *
 *   COUNT=N              number of GPUs (default 2)
 *   INIT_ERROR=code      nvmlInit_v2 returns this code (e.g. 9 = DRIVER_NOT_LOADED)
 *   LOST=i               GPU i is lost: every call on it returns 15 (GPU_IS_LOST)
 *   HANDLE_LOST=i        nvmlDeviceGetHandleByIndex_v2(i) itself returns 15
 *   NOT_SUPPORTED=a,b    these queries return 3 (NOT_SUPPORTED): name uuid memory utilization
 *                        temperature power processes ecc events
 *   ECC=i:n              GPU i reports n uncorrected volatile ECC errors
 *   XID=i:code           one XID critical error event on GPU i, delivered once by nvmlEventSetWait_v2
 *   MEM_USED_MIB=n       memory used on every GPU (default 1024)
 *   UTIL=n               GPU utilization percent on every GPU (default 37)
 *
 * fake_nvml_reset() clears every value set through fake_nvml_set; fake_nvml_init_count() returns
 * how many nvmlInit_v2 calls are not yet matched by nvmlShutdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct fake_device *nvmlDevice_t;
typedef struct fake_event_set *nvmlEventSet_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_TIMEOUT = 10,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999
};

#define MAX_GPUS 16
#define MAX_KEYS 32
#define XID_CRITICAL_ERROR 0x8ULL

typedef struct {
  unsigned long long total, free, used;
} nvmlMemory_t;

typedef struct {
  unsigned int gpu, memory;
} nvmlUtilization_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;

typedef struct {
  nvmlDevice_t device;
  unsigned long long eventType, eventData;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;

struct fake_device {
  int index;
};

struct fake_event_set {
  unsigned long long registered[MAX_GPUS];
};

static struct fake_device devices[MAX_GPUS];
static int init_count = 0;
static int xid_delivered = 0;
static char keys[MAX_KEYS][64];
static char values[MAX_KEYS][256];
static int nkeys = 0;

void fake_nvml_set(const char *key, const char *value) {
  for (int i = 0; i < nkeys; i++) {
    if (strcmp(keys[i], key) == 0) {
      snprintf(values[i], sizeof values[i], "%s", value);
      return;
    }
  }
  if (nkeys < MAX_KEYS) {
    snprintf(keys[nkeys], sizeof keys[nkeys], "%s", key);
    snprintf(values[nkeys], sizeof values[nkeys], "%s", value);
    nkeys++;
  }
}

void fake_nvml_reset(void) {
  nkeys = 0;
  xid_delivered = 0;
}

int fake_nvml_init_count(void) { return init_count; }

static const char *knob(const char *key) {
  for (int i = 0; i < nkeys; i++) {
    if (strcmp(keys[i], key) == 0) {
      return values[i];
    }
  }
  char name[96];
  snprintf(name, sizeof name, "FAKE_NVML_%s", key);
  return getenv(name);
}

static int knob_int(const char *key, int fallback) {
  const char *v = knob(key);
  return v == NULL || *v == '\0' ? fallback : atoi(v);
}

/* "i:n" knobs: n when i is the given index, else -1. */
static int knob_pair(const char *key, int index) {
  const char *v = knob(key);
  int i, n;
  if (v != NULL && sscanf(v, "%d:%d", &i, &n) == 2 && i == index) {
    return n;
  }
  return -1;
}

static int not_supported(const char *what) {
  const char *v = knob("NOT_SUPPORTED");
  if (v == NULL) {
    return 0;
  }
  size_t len = strlen(what);
  for (const char *p = v; (p = strstr(p, what)) != NULL; p += len) {
    int starts = p == v || p[-1] == ',';
    int ends = p[len] == '\0' || p[len] == ',';
    if (starts && ends) {
      return 1;
    }
  }
  return 0;
}

static int gpu_count(void) {
  int n = knob_int("COUNT", 2);
  return n < 0 ? 0 : (n > MAX_GPUS ? MAX_GPUS : n);
}

/* The common checks of every device query: initialized, a real handle, not lost, supported. */
static nvmlReturn_t check(nvmlDevice_t device, const char *what) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  if (device == NULL || device < devices || device >= devices + gpu_count()) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (knob_int("LOST", -1) == device->index) {
    return NVML_ERROR_GPU_IS_LOST;
  }
  if (not_supported(what)) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void) {
  int error = knob_int("INIT_ERROR", 0);
  if (error != 0) {
    return error;
  }
  for (int i = 0; i < MAX_GPUS; i++) {
    devices[i].index = i;
  }
  init_count++;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  init_count--;
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  const char *v = "550.54.15";
  if (length < strlen(v) + 1) {
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  strcpy(version, v);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  *count = (unsigned int)gpu_count();
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  if ((int)index >= gpu_count()) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (knob_int("HANDLE_LOST", -1) == (int)index) {
    return NVML_ERROR_GPU_IS_LOST;
  }
  *device = &devices[index];
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  nvmlReturn_t r = check(device, "name");
  if (r != NVML_SUCCESS) {
    return r;
  }
  snprintf(name, length, "%s", "NVIDIA H100 80GB HBM3");
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  nvmlReturn_t r = check(device, "uuid");
  if (r != NVML_SUCCESS) {
    return r;
  }
  snprintf(uuid, length, "GPU-fa4e0000-0000-4000-8000-%012d", device->index);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  nvmlReturn_t r = check(device, "memory");
  if (r != NVML_SUCCESS) {
    return r;
  }
  unsigned long long mib = 1024ULL * 1024ULL;
  memory->total = 81559ULL * mib;
  memory->used = (unsigned long long)knob_int("MEM_USED_MIB", 1024) * mib;
  memory->free = memory->total - memory->used;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  nvmlReturn_t r = check(device, "utilization");
  if (r != NVML_SUCCESS) {
    return r;
  }
  utilization->gpu = (unsigned int)knob_int("UTIL", 37);
  utilization->memory = 12;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temp) {
  nvmlReturn_t r = check(device, "temperature");
  if (r != NVML_SUCCESS) {
    return r;
  }
  if (sensor != 0) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *temp = 41 + (unsigned int)device->index;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *milliwatts) {
  nvmlReturn_t r = check(device, "power");
  if (r != NVML_SUCCESS) {
    return r;
  }
  *milliwatts = 123456;
  return NVML_SUCCESS;
}

/* GPU 0 runs one process (pid 4242, 1 GiB); the others none. */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(
    nvmlDevice_t device, unsigned int *count, nvmlProcessInfo_t *infos) {
  nvmlReturn_t r = check(device, "processes");
  if (r != NVML_SUCCESS) {
    return r;
  }
  unsigned int running = device->index == 0 ? 1 : 0;
  if (*count < running) {
    *count = running;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  *count = running;
  if (running == 1) {
    infos[0].pid = 4242;
    infos[0].usedGpuMemory = 1024ULL * 1024ULL * 1024ULL;
    infos[0].gpuInstanceId = 0xFFFFFFFF;
    infos[0].computeInstanceId = 0xFFFFFFFF;
  }
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEccErrors(
    nvmlDevice_t device, int errorType, int counterType, unsigned long long *count) {
  nvmlReturn_t r = check(device, "ecc");
  if (r != NVML_SUCCESS) {
    return r;
  }
  if (errorType != 1 || counterType != 0) {
    return NVML_ERROR_INVALID_ARGUMENT; /* Tern asks for uncorrected (1), volatile (0) only. */
  }
  int n = knob_pair("ECC", device->index);
  *count = n < 0 ? 0 : (unsigned long long)n;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  *set = calloc(1, sizeof(struct fake_event_set));
  return *set == NULL ? NVML_ERROR_UNKNOWN : NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceRegisterEvents(
    nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set) {
  nvmlReturn_t r = check(device, "events");
  if (r != NVML_SUCCESS) {
    return r;
  }
  if (set == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  set->registered[device->index] |= eventTypes;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
  (void)timeoutms; /* never blocks: an event is either pending or not */
  if (init_count == 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  if (set == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  for (int i = 0; i < gpu_count() && !xid_delivered; i++) {
    int code = knob_pair("XID", i);
    if (code >= 0 && (set->registered[i] & XID_CRITICAL_ERROR)) {
      xid_delivered = 1;
      memset(data, 0, sizeof *data);
      data->device = &devices[i];
      data->eventType = XID_CRITICAL_ERROR;
      data->eventData = (unsigned long long)code;
      return NVML_SUCCESS;
    }
  }
  return NVML_ERROR_TIMEOUT;
}

nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  free(set);
  return NVML_SUCCESS;
}
