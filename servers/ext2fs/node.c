/* Open nodes: a port of its own for every file or directory a client
 * opened, holding the inode open in the core until the client's last send
 * right goes (the no-senders notification).  The registry of open nodes
 * lets rename and link recognise a node port a client sends back. */
#include "ext2fs.h"
#include "mach/mach.h"
#include "rt/rt.h"

static struct node *open_nodes;      /* under fs_lock */

static void node_free(struct port_info *pi)
{
	free(pi->obj);
}

/* The last send right is gone: release the inode and retire the port once
 * no thread serves a request for it any more. */
static void node_no_senders(struct port_info *pi)
{
	struct node *n = pi->obj;
	mutex_lock(&fs_lock);
	n->open = 0;
	if (n->prev)
		n->prev->next = n->next;
	else
		open_nodes = n->next;
	if (n->next)
		n->next->prev = n->prev;
	struct ext2_inode in;
	if (fs_writable && fs_mounted) {
		ext2_release(&fs, n->ino);
		/* an unlinked file read while open went with its last node */
		if (n->type == EXT2_S_IFREG && (ext2_read_inode(&fs, n->ino, &in) || in.links == 0))
			stream_forget(n->ino);
	}
	mutex_unlock(&fs_lock);
	server_remove_port(fs_server, pi, node_free);
}

int node_open(uint32_t ino, uint16_t type, unsigned flags, struct node **out)
{
	static const struct interface *const ifaces[] = { &fs_node_interface, NULL };
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		return -FS_ENOMEM;
	if (fs_writable) {
		int r = ext2_hold(&fs, ino);
		if (r) {
			free(n);
			return core_error(r, "holding an inode open");
		}
	}
	n->ino = ino;
	n->type = type;
	n->flags = flags;
	n->pi = server_add_port(fs_server, ifaces, n);
	/* armed before the reply makes the first send right */
	kern_return_t r = n->pi ? server_request_no_senders(n->pi) : KERN_RESOURCE_SHORTAGE;
	if (r) {
		say("cannot make a port for inode %u: %s", (unsigned)ino, mach_error_name(r));
		if (fs_writable)
			ext2_release(&fs, ino);
		if (n->pi)
			server_remove_port(fs_server, n->pi, node_free);
		else
			free(n);
		return -FS_ENOMEM;
	}
	n->pi->no_senders = node_no_senders;
	n->open = 1;
	n->next = open_nodes;
	if (open_nodes)
		open_nodes->prev = n;
	open_nodes = n;
	*out = n;
	return 0;
}

struct node *node_find(mach_port_t name)
{
	for (struct node *n = open_nodes; n; n = n->next)
		if (n->pi->name == name)
			return n;
	return NULL;
}
