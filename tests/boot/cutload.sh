# The power-cut workload (tests/boot/powercut.scenario, bench/powercut.sh),
# run by the guest's sh: rounds that each remove one of four folders, copy
# programs into it afresh and sync.  "cutload: synced cN (A B)" is printed
# once sync has returned: from then on /tmp/cN/A and B must survive any
# cut, until "cutload: removing cN" (tests/boot/cutcheck.sh is the judge).
# A removal frees blocks that the next round reuses, as on a used disk.
echo cutload: round 1; echo cutload: removing c1; rm -rf /tmp/c1; mkdir /tmp/c1
cp /bin/sh /bin/true /tmp/c1 && echo cutload: syncing && sync && echo 'cutload: synced c1 (sh true)'
echo cutload: round 2; echo cutload: removing c2; rm -rf /tmp/c2; mkdir /tmp/c2
cp /bin/ls /bin/cat /bin/sync /tmp/c2 && echo cutload: syncing && sync && echo 'cutload: synced c2 (ls cat sync)'
echo cutload: round 3; echo cutload: removing c3; rm -rf /tmp/c3; mkdir /tmp/c3
cp /bin/cp /bin/echo /tmp/c3 && echo cutload: syncing && sync && echo 'cutload: synced c3 (cp echo)'
echo cutload: round 4; echo cutload: removing c4; rm -rf /tmp/c4; mkdir /tmp/c4
cp /bin/mkdir /bin/rm /bin/ls /tmp/c4 && echo cutload: syncing && sync && echo 'cutload: synced c4 (mkdir rm ls)'
echo cutload: round 5; echo cutload: removing c1; rm -rf /tmp/c1; mkdir /tmp/c1
cp /bin/ls /bin/cat /bin/sync /tmp/c1 && echo cutload: syncing && sync && echo 'cutload: synced c1 (ls cat sync)'
echo cutload: round 6; echo cutload: removing c2; rm -rf /tmp/c2; mkdir /tmp/c2
cp /bin/cp /bin/echo /tmp/c2 && echo cutload: syncing && sync && echo 'cutload: synced c2 (cp echo)'
echo cutload: round 7; echo cutload: removing c3; rm -rf /tmp/c3; mkdir /tmp/c3
cp /bin/mkdir /bin/rm /bin/ls /tmp/c3 && echo cutload: syncing && sync && echo 'cutload: synced c3 (mkdir rm ls)'
echo cutload: round 8; echo cutload: removing c4; rm -rf /tmp/c4; mkdir /tmp/c4
cp /bin/sh /bin/true /tmp/c4 && echo cutload: syncing && sync && echo 'cutload: synced c4 (sh true)'
echo cutload: round 9; echo cutload: removing c1; rm -rf /tmp/c1; mkdir /tmp/c1
cp /bin/ls /bin/cat /bin/sync /tmp/c1 && echo cutload: syncing && sync && echo 'cutload: synced c1 (ls cat sync)'
echo cutload: round 10; echo cutload: removing c2; rm -rf /tmp/c2; mkdir /tmp/c2
cp /bin/cp /bin/echo /tmp/c2 && echo cutload: syncing && sync && echo 'cutload: synced c2 (cp echo)'
echo cutload: round 11; echo cutload: removing c3; rm -rf /tmp/c3; mkdir /tmp/c3
cp /bin/mkdir /bin/rm /bin/ls /tmp/c3 && echo cutload: syncing && sync && echo 'cutload: synced c3 (mkdir rm ls)'
echo cutload: round 12; echo cutload: removing c4; rm -rf /tmp/c4; mkdir /tmp/c4
cp /bin/sh /bin/true /tmp/c4 && echo cutload: syncing && sync && echo 'cutload: synced c4 (sh true)'
echo cutload: done
