/* sync: write every file system's changes back and flush the disk. */
#include "posix/posix.h"

int main(void)
{
	sync();
	return 0;
}
