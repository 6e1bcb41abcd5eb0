mkdir a; mkdir a/b
cd a/b; cd ../..
cd - > where
> marker
cd ../..
echo a/b/m* a/b/w*
cd a; cd b; cd - > where2; echo *
cd nowhere 2> e; echo "status $?"
