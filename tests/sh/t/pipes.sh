echo one two three | cat
echo a | cat | cat | cat
echo hi | cksum
false | true; echo "status $?"
true | false; echo "status $?"
echo data > f; cat f | cat > g; cat g
cat f f f | head -c 7; echo
nothere 2> err | cat; echo "status $?"
echo abc | nothere 2> err; echo "status $?"
echo left | cat && echo and || echo or
echo x | false || echo "after a failed pipeline"
echo "with | in quotes" | cat
