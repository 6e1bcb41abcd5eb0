A=hello
echo $A ${A} "$A" '$A' "${A}x" $A.$A
B="two  words   here"
echo $B
echo "$B"
C=
echo x${C}y "[$C]" $C end
A=1 B=2; echo $A$B
X=a; X=${X}b; X="$X c"; echo "$X"
export E=exported
sh -c 'echo "child sees [$E]"'
F=local
sh -c 'echo "child sees [$F]"'
G=one sh -c 'echo "G is [$G]"'
echo "G after [$G]"
export F
sh -c 'echo "now it sees [$F]"'
unset A; echo "A is [$A]"
false; echo "status $?"; echo "status $?"
N=3; echo "$N$N" ${N}0 $N$
Q="a*"; > abc; > add; echo "$Q" $Q
S='  lead and trail  '; echo [$S] "[$S]"
