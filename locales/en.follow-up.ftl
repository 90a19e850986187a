# Getting in touch after a visit (cases.md, step 8) and "Report the result" in the menu.

menu-progress = ✅ Report the result
follow-up-question =
    🌿 Hello! Has your issue in request No. { $number } been resolved?
    Please answer with a button below, so we know whether you still need help.
progress-question = Has your issue in request No. { $number } been resolved?
progress-yes = Yes
progress-partly = Partly
progress-no = No
progress-help = I need a specialist's help
progress-thanks = Thank you for telling us! We have noted it in request No. { $number }.
progress-dispatcher = A dispatcher will get in touch with you during working hours. If it is urgent, call { $phone }.
progress-comment-ask = If you like, write in one message what has changed or what else you need — a dispatcher will read it. Or tap "Skip".
progress-skip = Skip
progress-comment-thanks = Thank you, we have passed it on to the dispatcher.
progress-choose = Which request would you like to report on?
progress-appeal-button = Request No. { $number }
progress-none = You have no open requests right now. If you need help, leave a new request.
progress-closed = Work on request No. { $number } has already been completed. If the issue is back, leave a new request or call { $phone }.
survey-reminder = 🌿 A reminder about the survey on request No. { $number }: only a few questions are left. Answering is optional.
