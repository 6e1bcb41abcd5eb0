/* Names of NVMe completion statuses (NVM Express 1.4, 4.6.1.2 and the NVM
 * command set's additions), for the console lines of failed commands. */
#include "nvme/nvme.h"
#include "rt/rt.h"

struct status_name { uint16_t code; const char *name; };   /* code: SCT << 8 | SC */

static const struct status_name names[] = {
	{ 0x000, "successful completion" },
	{ 0x001, "invalid command opcode" },
	{ 0x002, "invalid field in command" },
	{ 0x003, "command id conflict" },
	{ 0x004, "data transfer error" },
	{ 0x005, "aborted: power loss notification" },
	{ 0x006, "internal error" },
	{ 0x007, "aborted: abort requested" },
	{ 0x008, "aborted: submission queue deleted" },
	{ 0x009, "aborted: failed fused command" },
	{ 0x00a, "aborted: missing fused command" },
	{ 0x00b, "invalid namespace or format" },
	{ 0x00c, "command sequence error" },
	{ 0x00d, "invalid SGL segment descriptor" },
	{ 0x00e, "invalid number of SGL descriptors" },
	{ 0x00f, "data SGL length invalid" },
	{ 0x010, "metadata SGL length invalid" },
	{ 0x011, "SGL descriptor type invalid" },
	{ 0x012, "invalid use of controller memory buffer" },
	{ 0x013, "PRP offset invalid" },
	{ 0x014, "atomic write unit exceeded" },
	{ 0x015, "operation denied" },
	{ 0x016, "SGL offset invalid" },
	{ 0x018, "host identifier inconsistent format" },
	{ 0x019, "keep alive timer expired" },
	{ 0x01a, "keep alive timeout invalid" },
	{ 0x01b, "aborted: preempt and abort" },
	{ 0x01c, "sanitize failed" },
	{ 0x01d, "sanitize in progress" },
	{ 0x01e, "SGL data block granularity invalid" },
	{ 0x01f, "command not supported for queue in CMB" },
	{ 0x020, "namespace is write protected" },
	{ 0x021, "command interrupted" },
	{ 0x022, "transient transport error" },
	{ 0x080, "LBA out of range" },
	{ 0x081, "capacity exceeded" },
	{ 0x082, "namespace not ready" },
	{ 0x083, "reservation conflict" },
	{ 0x084, "format in progress" },
	{ 0x100, "completion queue invalid" },
	{ 0x101, "invalid queue identifier" },
	{ 0x102, "invalid queue size" },
	{ 0x103, "abort command limit exceeded" },
	{ 0x105, "asynchronous event request limit exceeded" },
	{ 0x106, "invalid firmware slot" },
	{ 0x107, "invalid firmware image" },
	{ 0x108, "invalid interrupt vector" },
	{ 0x109, "invalid log page" },
	{ 0x10a, "invalid format" },
	{ 0x10b, "firmware activation requires conventional reset" },
	{ 0x10c, "invalid queue deletion" },
	{ 0x10d, "feature identifier not saveable" },
	{ 0x10e, "feature not changeable" },
	{ 0x10f, "feature not namespace specific" },
	{ 0x115, "namespace insufficient capacity" },
	{ 0x116, "namespace identifier unavailable" },
	{ 0x118, "namespace already attached" },
	{ 0x119, "namespace is private" },
	{ 0x11a, "namespace not attached" },
	{ 0x11b, "thin provisioning not supported" },
	{ 0x11c, "controller list invalid" },
	{ 0x180, "conflicting attributes" },
	{ 0x181, "invalid protection information" },
	{ 0x182, "attempted write to read only range" },
	{ 0x280, "write fault" },
	{ 0x281, "unrecovered read error" },
	{ 0x282, "end-to-end guard check error" },
	{ 0x283, "end-to-end application tag check error" },
	{ 0x284, "end-to-end reference tag check error" },
	{ 0x285, "compare failure" },
	{ 0x286, "access denied" },
	{ 0x287, "deallocated or unwritten logical block" },
	{ 0x300, "internal path error" },
	{ 0x301, "asymmetric access persistent loss" },
	{ 0x302, "asymmetric access inaccessible" },
	{ 0x303, "asymmetric access transition" },
	{ 0x360, "controller pathing error" },
	{ 0x370, "host pathing error" },
	{ 0x371, "command aborted by host" },
};

static const char *const types[8] = { "generic", "command specific", "media", "path",
                                      "type 4", "type 5", "type 6", "vendor specific" };

const char *nvme_status_str(uint16_t st, char *buf, size_t size)
{
	if (st == NVME_STATUS_TIMEOUT) {
		snprintf(buf, size, "no completion (time-out)");
		return buf;
	}
	uint16_t code = (uint16_t)(NVME_SCT(st) << 8 | NVME_SC(st));
	const char *name = "unknown status";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code)
			name = names[i].name;
	snprintf(buf, size, "%s (%s 0x%02x%s)", name, types[NVME_SCT(st)], NVME_SC(st),
	         NVME_DNR(st) ? ", do not retry" : "");
	return buf;
}
