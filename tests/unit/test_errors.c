/* Error names (lib/mach/errors.c): every code the project defines has its
 * own name, spelled as its macro, and anything else is unknown.  The values
 * of the macros themselves were checked against Debian's gnumach-dev headers
 * (mach/kern_return.h, mach/message.h, mach/mig_errors.h,
 * device/device_types.h). */
#include "rt/rt.h"
#include "mach/mach.h"
#include "unit.h"

static void named(int line, kern_return_t code, const char *want)
{
	const char *got = mach_error_name(code);
	unit_check(got && strcmp(got, want) == 0, __FILE__, line, "mach_error_name(%#x) = \"%s\", want \"%s\"",
	           (unsigned)code, got ? got : "(null)", want);
}
#define NAMED(code) named(__LINE__, code, #code)
#define UNKNOWN(code) named(__LINE__, code, "unknown error code")

int main(void)
{
	/* kern_return_t */
	NAMED(KERN_SUCCESS);
	NAMED(KERN_INVALID_ADDRESS);
	NAMED(KERN_PROTECTION_FAILURE);
	NAMED(KERN_NO_SPACE);
	NAMED(KERN_INVALID_ARGUMENT);
	NAMED(KERN_FAILURE);
	NAMED(KERN_RESOURCE_SHORTAGE);
	NAMED(KERN_NOT_RECEIVER);
	NAMED(KERN_NO_ACCESS);
	NAMED(KERN_MEMORY_FAILURE);
	NAMED(KERN_MEMORY_ERROR);
	NAMED(KERN_NOT_IN_SET);
	NAMED(KERN_NAME_EXISTS);
	NAMED(KERN_ABORTED);
	NAMED(KERN_INVALID_NAME);
	NAMED(KERN_INVALID_TASK);
	NAMED(KERN_INVALID_RIGHT);
	NAMED(KERN_INVALID_VALUE);
	NAMED(KERN_UREFS_OVERFLOW);
	NAMED(KERN_INVALID_CAPABILITY);
	NAMED(KERN_RIGHT_EXISTS);
	NAMED(KERN_INVALID_HOST);
	NAMED(KERN_MEMORY_PRESENT);
	NAMED(KERN_WRITE_PROTECTION_FAILURE);
	NAMED(KERN_TERMINATED);
	NAMED(KERN_TIMEDOUT);
	NAMED(KERN_INTERRUPTED);

	/* mach_msg, send side */
	NAMED(MACH_SEND_IN_PROGRESS);
	NAMED(MACH_SEND_INVALID_DATA);
	NAMED(MACH_SEND_INVALID_DEST);
	NAMED(MACH_SEND_TIMED_OUT);
	NAMED(MACH_SEND_WILL_NOTIFY);
	NAMED(MACH_SEND_NOTIFY_IN_PROGRESS);
	NAMED(MACH_SEND_INTERRUPTED);
	NAMED(MACH_SEND_MSG_TOO_SMALL);
	NAMED(MACH_SEND_INVALID_REPLY);
	NAMED(MACH_SEND_INVALID_RIGHT);
	NAMED(MACH_SEND_INVALID_NOTIFY);
	NAMED(MACH_SEND_INVALID_MEMORY);
	NAMED(MACH_SEND_NO_BUFFER);
	NAMED(MACH_SEND_NO_NOTIFY);
	NAMED(MACH_SEND_INVALID_TYPE);
	NAMED(MACH_SEND_INVALID_HEADER);

	/* mach_msg, receive side */
	NAMED(MACH_RCV_IN_PROGRESS);
	NAMED(MACH_RCV_INVALID_NAME);
	NAMED(MACH_RCV_TIMED_OUT);
	NAMED(MACH_RCV_TOO_LARGE);
	NAMED(MACH_RCV_INTERRUPTED);
	NAMED(MACH_RCV_PORT_CHANGED);
	NAMED(MACH_RCV_INVALID_NOTIFY);
	NAMED(MACH_RCV_INVALID_DATA);
	NAMED(MACH_RCV_PORT_DIED);
	NAMED(MACH_RCV_IN_SET);
	NAMED(MACH_RCV_HEADER_ERROR);
	NAMED(MACH_RCV_BODY_ERROR);

	/* MIG */
	NAMED(MIG_TYPE_ERROR);
	NAMED(MIG_REPLY_MISMATCH);
	NAMED(MIG_REMOTE_ERROR);
	NAMED(MIG_BAD_ID);
	NAMED(MIG_BAD_ARGUMENTS);
	NAMED(MIG_NO_REPLY);
	NAMED(MIG_EXCEPTION);
	NAMED(MIG_ARRAY_TOO_LARGE);
	NAMED(MIG_SERVER_DIED);
	NAMED(MIG_DESTROY_REQUEST);

	/* device */
	NAMED(D_IO_ERROR);
	NAMED(D_WOULD_BLOCK);
	NAMED(D_NO_SUCH_DEVICE);
	NAMED(D_ALREADY_OPEN);
	NAMED(D_DEVICE_DOWN);
	NAMED(D_INVALID_OPERATION);
	NAMED(D_INVALID_RECNUM);
	NAMED(D_INVALID_SIZE);
	NAMED(D_NO_MEMORY);
	NAMED(D_READ_ONLY);

	/* codes that share a value read as the kernel's name */
	named(__LINE__, D_SUCCESS, "KERN_SUCCESS");
	named(__LINE__, MACH_MSG_SUCCESS, "KERN_SUCCESS");

	/* the macros have the kernel's values (a sample; see the comment above) */
	CHECK(KERN_INVALID_NAME == 15 && KERN_TERMINATED == 26 && KERN_INTERRUPTED == 28, "KERN_ values");
	CHECK(MACH_SEND_INVALID_DEST == 0x10000003 && MACH_RCV_TIMED_OUT == 0x10004003
	      && MACH_RCV_BODY_ERROR == 0x1000400c, "mach_msg values");
	CHECK(MIG_BAD_ID == -303 && MIG_BAD_ARGUMENTS == -304, "MIG values");
	CHECK(D_NO_SUCH_DEVICE == 2502 && D_READ_ONLY == 2509, "D_ values");

	/* gaps and neighbours of every family */
	static const kern_return_t unknown[] = {
		-1, 11, 25, 29, 100, 2499, 2510, -299, -310, 0x10000000, 0x10000011, 0x10004000,
		0x1000400d, 0x10008001, 0x7fffffff, (kern_return_t)0x80000000u, 12345,
	};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		UNKNOWN(unknown[i]);

	return unit_report();
}
