# The shell corpus: each script of t/ run by `sh` in a fresh directory,
# then its status.  tests/sh/dash-run.sh runs it with dash on the host,
# tests/boot/shcorpus.scenario with our sh in the guest; the two outputs
# must be the same bytes.  $D is the folder holding run.sh.
mkdir w1; cd w1; sh $D/t/pipes.sh; echo "== pipes $?"; cd ..
mkdir w2; cd w2; sh $D/t/andor.sh; echo "== andor $?"; cd ..
mkdir w3; cd w3; sh $D/t/vars.sh; echo "== vars $?"; cd ..
mkdir w4; cd w4; sh $D/t/globs.sh; echo "== globs $?"; cd ..
mkdir w5; cd w5; sh $D/t/redir.sh; echo "== redir $?"; cd ..
mkdir w6; cd w6; sh $D/t/cd.sh; echo "== cd $?"; cd ..
mkdir w7; cd w7; sh $D/t/pipebuiltins.sh; echo "== pipebuiltins $?"; cd ..
