# Satisfaction survey after a request is closed (survey.md).

survey-intro =
    🌿 Your request No. { $number } is closed. Help us do better: please answer a few questions — it takes a minute.
    Answering is optional; just tap the buttons.
survey-about = Survey about request No. { $number }
survey-progress = Question { $current } of { $total }
survey-q2 = Is information about the center's work easy to get?
survey-q3 = Are you satisfied with the quality of the services?
survey-q4 = Are you satisfied with the conditions in which the services are provided?
survey-q5 = Was the issue you came to us with resolved?
survey-q6 = Are you satisfied with the specialists' competence?
survey-q7 = Are you satisfied with the specialists' courtesy and friendliness?
survey-q8 = Would you recommend the center to your relatives and friends?
survey-yes = Yes
survey-no = No
survey-partly = Partly
survey-thanks = Thank you for your answers! They help us work better. If your question is not solved yet, write to us — we are here.
