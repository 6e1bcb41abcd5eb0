echo out > f; cat f
echo more >> f; cat f
cat < f
echo "a b" > "my file"; cat "my file"
nothere 2> e; echo "status $?"
sh -c 'echo inner >&2' 2>&1 | cat
sh -c 'echo inner2 >&2' 2> e2; cat e2
sh -c 'echo both; echo err >&2' > o 2>&1; cat o
sh -c 'echo to-out; echo to-err >&2' 2>&1 > o2 | cat; cat o2
echo x 1>f1 2>f2; cat f1 f2
cat < f > f3; cat f3
> empty; cat empty; echo "[empty]"
echo fd0 0< f
cat < nothere-file; echo "status $?"
echo x > no-dir/f; echo "status $?"
nothere-cmd < nothere-file; echo "status $?"
x=1 < nothere-file; echo "status $? [$x]"
cat < nothere-file | cat; echo "status $?"
true | cat < nothere-file; echo "status $?"
