# A small jbd2 journal for a fuzz seed (mke2fs will not make one under 1024
# blocks): 16 blocks of 1 KiB, needing recovery, with T1 logging block
# argv[1] and T2 revoking the next block, each committed.  run.sh writes it
# into a small ext2 image as inode 12 and sets has_journal and
# needs_recovery, so that fuzz_ext2 starts from a journal ext2fs replays.
import struct, sys
bs = 1024
def blk(*parts):
    b = b''.join(parts); return b + bytes(bs - len(b))
hdr = lambda t, s: struct.pack('>III', 0xc03b3998, t, s)
sb = blk(hdr(4, 0), struct.pack('>IIIII', bs, 16, 1, 1, 1), struct.pack('>IIII', 0, 0, 1, 0))
desc = blk(hdr(1, 1), struct.pack('>IHH', int(sys.argv[1]), 0, 0x2 | 0x8))
data = blk(b'replayed by the journal ' * 40)
commit = blk(hdr(2, 1))
revoke = blk(hdr(5, 2), struct.pack('>II', 20, int(sys.argv[1]) + 1))
commit2 = blk(hdr(2, 2))
# the free part of the ring not zero: debugfs would leave holes
sys.stdout.buffer.write(sb + desc + data + commit + revoke + commit2 + b'\xee' * (bs * 10))
