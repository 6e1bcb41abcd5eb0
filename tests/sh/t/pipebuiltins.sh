mkdir sub; echo top > mark
cd sub | true; cat mark
true | cd sub; cat mark
cd sub | cat; cat mark
cd nothere-dir | true; echo "status $?"
true | cd nothere-dir; echo "status $?"
exit 3 | true; echo "still here $?"
true | exit 4; echo "status $?"
exit | cat; echo "after exit"
false; true | exit; echo "status $?"
exit 5 | exit 6; echo "status $?"
export PB=1 | true; echo "[$PB]"
PC=2; export PC; unset PC | true; echo "[$PC]"
PD=3 | true; echo "[$PD]"
cd sub; cd .. | true; cat ../mark
