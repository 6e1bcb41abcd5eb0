> apple; > banana; > cherry; > Apple; > _x; > .hidden; > a1; > a2; > a10; > B; > 'sp ace'
echo *
echo a*
echo ?1
echo a?
echo [ab]*
echo [!a]*
echo [A-C]*
echo .*
echo *.none
echo "*" '*' \* "a"*
echo *x
mkdir sub; > sub/x; > sub/y; mkdir sub/deeper
echo */*
echo s*/?
echo sub/*er
echo */x */q
cat a?0
echo no*match and* "$?"
